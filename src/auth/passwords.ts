import * as argon2 from 'argon2';

// argon2id with the library's defaults (64 MiB, t=3): slow on purpose.
export const hashPassword = (plain: string): Promise<string> => argon2.hash(plain, { type: argon2.argon2id });

export const verifyPassword = async (hash: string, plain: string): Promise<boolean> => {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
};

// Verified against when the user does not exist, so that timing does not reveal usernames.
export const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$LMpf1NaiRi326moTIStCEQ$f5lAKilJ5DMeoWh4DDYdnM2U+pl4k69oDmrGCgOSGYo';
