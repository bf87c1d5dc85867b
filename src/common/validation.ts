import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './app-error';

function flatten(errors: ValidationError[], prefix = ''): { field: string; constraints: Record<string, string> }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, constraints: e.constraints }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The one global ValidationPipe: unknown fields refused, types transformed, errors in our shape. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      const unknown = problems.filter((p) => 'whitelistValidation' in p.constraints).map((p) => p.field);
      if (unknown.length > 0) {
        return new AppError(HttpStatus.BAD_REQUEST, 'UNKNOWN_FIELD', `请求中含有不允许的字段：${unknown.join('、')}`, {
          fields: unknown,
        });
      }
      const fields = problems.map((p) => p.field);
      // Decorators may carry a zh-CN message; use it when every message of the field is Chinese.
      const zh = problems.flatMap((p) => Object.values(p.constraints)).filter((m) => /[\u4e00-\u9fff]/.test(m));
      const message = zh.length > 0 ? zh.join('；') : `请求参数有误：${fields.join('、')} 不符合要求`;
      return new AppError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', message, { fields: problems });
    },
  });
}
