import { Writable } from 'node:stream';
import { AppLogger, createPino } from './logger';

class Lines extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe(createPino.name, () => {
  const id = '371502194105255185';

  it('masks ID numbers in messages, objects and the message and stack of logged errors', () => {
    const out = new Lines();
    const log = createPino('info', out);
    log.info(`scan ${id}`);
    log.info({ detail: { name: `${id}7` } }, 'object');
    log.error({ err: new Error(`invalid input syntax for type integer: "371502-19410525-5185"`) }, 'failed');
    new AppLogger(log).error(new Error(`lookup ${id.slice(0, 17)}`));
    expect(out.text).toContain('371502********5185');
    expect(out.text).toContain('[masked]');
    expect(out.text).toContain('"stack"');
    expect(out.text).not.toContain('19410525');
  });
});
