/**
 * The native provider's configuration: the same `tailer:*` settings as the dynamic resources (read by
 * settings.ts, environment variables as fallback), taken from the engine's CheckConfig and Configure.
 *
 * Configure carries them twice: `args` (the provider's inputs: typed values, secrets wrapped) and
 * `variables` (`tailer:config:apiUrl` → text). Args win; variables serve an engine that sends none.
 */
import { isTailerError } from "../core/errors";
import { CONFIG_KEYS, type ConfigReader, readSettings } from "../resources/settings";
import { unwrapSecrets } from "./properties";

/** The provider's configuration property names (`apiUrl`, `token`, ...), as the schema and args name them. */
export const CONFIG_PROPERTIES = Object.keys(CONFIG_KEYS) as (keyof typeof CONFIG_KEYS)[];

/** Provider inputs the engine adds itself, which are no setting of ours. */
const ENGINE_PROPERTIES = ["version", "pluginDownloadURL"];

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A ConfigReader over provider inputs (`apiUrl`, ...) and, for what they lack, Configure's variables. */
export function configReader(args: Record<string, unknown>, variables: ReadonlyMap<string, string> = new Map()): ConfigReader {
  const { values } = unwrapSecrets(args);
  return {
    get(key) {
      const name = key.replace(/^tailer:/, "");
      return asText(values[name]) ?? variables.get(`tailer:config:${name}`);
    },
  };
}

/** A check failure: the property and the reason, naming the fix. */
export interface ConfigFailure {
  /** The provider property at fault (`apiUrl`, ...). */
  property: string;
  /** What is wrong and how to fix it. */
  reason: string;
}

/** Checks provider inputs as `readSettings` would use them: unknown properties and bad values are failures. */
export function checkConfig(news: Record<string, unknown>): ConfigFailure[] {
  const failures: ConfigFailure[] = [];
  for (const key of Object.keys(news)) {
    if (!(CONFIG_PROPERTIES as string[]).includes(key) && !ENGINE_PROPERTIES.includes(key))
      failures.push({ property: key, reason: `unknown provider setting "${key}"; the settings are ${CONFIG_PROPERTIES.join(", ")}.` });
  }
  try {
    readSettings(configReader(news));
  } catch (error) {
    if (!isTailerError(error)) throw error;
    // The longest key the message names: "tailer:tokenCommand" also contains "tailer:token".
    const named = CONFIG_PROPERTIES.filter((name) => error.message.includes(CONFIG_KEYS[name]));
    const property = named.sort((a, b) => b.length - a.length)[0] ?? "";
    failures.push({ property, reason: error.message });
  }
  return failures;
}
