/**
 * How `tailer-emulator token` finds the dev key of the emulator its token is for: in the state folder
 * it is given, from the emulator at the URL it is given (which says where its key file is), or else in
 * the current folder's state folder, then from the emulator on the default port. It never makes a key:
 * a new key is one that no running emulator trusts, and its tokens would get a 401 far from the cause.
 */
import * as path from "node:path";
import { AdminClient } from "./admin-client";
import type { AdminDevAccount } from "./admin-schemas";
import { devKeyFile, readDevKey, readKeyFile, type ServiceAccountKey } from "./dev-account";
import { type AdminApiError, DevKeyNotFoundError, isEmulatorError } from "./errors";

/** How long `token` waits for an emulator to say where its key is. */
const DEV_ACCOUNT_TIMEOUT_MS = 5000;

/** The state folder of `tailer-emulator start`, relative to the folder it runs in. */
export const DEFAULT_STATE_DIR = ".tailer-emulator";

/** The URL of `tailer-emulator start` without options. */
export const DEFAULT_EMULATOR_URL = "http://127.0.0.1:8080";

/** The emulator `token` asks when it is given neither a state folder nor a URL: $TAILER_EMULATOR_URL, else the default. */
export function defaultEmulatorUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TAILER_EMULATOR_URL || DEFAULT_EMULATOR_URL;
}

/** A dev key found, where it is, and (when it was not asked for by name) a line saying which emulator it belongs to. */
export interface FoundDevKey {
  key: ServiceAccountKey;
  file: string;
  note?: string;
}

/** Where to look: a state folder, an emulator's URL, or neither (the defaults). */
export interface DevKeyQuery {
  stateDir?: string;
  url?: string;
  /** The emulator asked when neither is given (default {@link defaultEmulatorUrl}). */
  fallbackUrl?: string;
}

const HOW_TO_START = `Start the emulator first: "tailer-emulator start" keeps its key in <the folder it runs in>/${DEFAULT_STATE_DIR}/dev-service-account.json`;

/** The dev key for `query`, or a DevKeyNotFoundError that says where the key would be and what to do. */
export async function findDevKey(query: DevKeyQuery, cwd = process.cwd()): Promise<FoundDevKey> {
  if (query.stateDir !== undefined) return fromStateDir(path.resolve(cwd, query.stateDir));
  if (query.url !== undefined) return fromEmulator(query.url);
  const local = path.resolve(cwd, DEFAULT_STATE_DIR);
  const key = readDevKey(local);
  if (key) return { key, file: devKeyFile(local) };
  const fallbackUrl = query.fallbackUrl ?? defaultEmulatorUrl();
  try {
    const found = await fromEmulator(fallbackUrl);
    return { ...found, note: `using the dev key of the emulator at ${fallbackUrl} (${found.file})` };
  } catch (e) {
    throw new DevKeyNotFoundError(
      `no dev key in ${devKeyFile(local)}, and ${(e as Error).message} ` +
        `Run this command in the folder the emulator runs in, or give --url <the URL it prints> or --state-dir <its state folder>. ${HOW_TO_START}.`,
    );
  }
}

function fromStateDir(stateDir: string): FoundDevKey {
  const key = readDevKey(stateDir);
  if (!key) {
    throw new DevKeyNotFoundError(
      `no dev key in ${devKeyFile(stateDir)}: "tailer-emulator start --state-dir ${stateDir}" creates it. Start the emulator with that state folder first.`,
    );
  }
  return { key, file: devKeyFile(stateDir) };
}

/** The dev key of the emulator at `url`: it says where its key file is, and the file must hold the key it trusts. */
async function fromEmulator(url: string): Promise<FoundDevKey> {
  const admin = new AdminClient(url, "", { timeoutMs: DEV_ACCOUNT_TIMEOUT_MS }); // GET dev-account needs no admin token
  let account: AdminDevAccount["dev_account"];
  try {
    account = (await admin.devAccount()).dev_account;
  } catch (e) {
    if (isEmulatorError(e) && e.code === "admin_request_failed")
      throw new DevKeyNotFoundError(
        `the server at ${url} is not a tailer-emulator of this version (GET /_emulator/dev-account answered ${(e as AdminApiError).status}).`,
      );
    throw new DevKeyNotFoundError(`no emulator answers at ${url} (${(e as { code?: string }).code ?? (e as Error).message}).`);
  } finally {
    await admin.close();
  }
  if (account === null)
    throw new DevKeyNotFoundError(
      `the emulator at ${url} trusts no dev account (it was started with --no-dev-account): use a key it trusts (--trust).`,
    );
  if (account.key_file === null)
    throw new DevKeyNotFoundError(
      `the emulator at ${url} keeps its dev key in memory (no state folder): mint tokens with emulator.mintToken() or POST /_emulator/tokens.`,
    );
  let key: ServiceAccountKey;
  try {
    key = readKeyFile(account.key_file);
  } catch (e) {
    throw new DevKeyNotFoundError(`cannot read the dev key of the emulator at ${url}, ${account.key_file}: ${(e as Error).message}`);
  }
  if (key.private_key_id !== account.kid)
    throw new DevKeyNotFoundError(
      `${account.key_file} holds another key (kid ${key.private_key_id}) than the one the emulator at ${url} trusts (kid ${account.kid}): restart the emulator.`,
    );
  return { key, file: account.key_file };
}
