// Command line and ETCD_* environment → raw flag text, with Go's flag-package spellings
// (`-f`, `--f`, `--f=v`, `--f v`, bare booleans). Typing and validation happen in config.ts.
import { envName, FLAGS } from "./flags.ts";

/** A configuration error; its message is the one line printed before exiting non-zero. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface RawFlags {
  /** Flag name → text as given (booleans given bare read "true"). */
  values: Map<string, string>;
  /** Names given on the command line (not from the environment). */
  explicit: Set<string>;
  /** Things worth telling the operator that are not errors. */
  warnings: string[];
}

function parseArgv(argv: readonly string[], values: Map<string, string>): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      const rest = argv[i + 1];
      if (rest !== undefined) throw new ConfigError(`'${rest}' is not a valid flag`);
      return;
    }
    if (arg.length < 2 || arg[0] !== "-") throw new ConfigError(`'${arg}' is not a valid flag`);
    const body = arg.startsWith("--") ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = FLAGS[name];
    if (spec === undefined || name === "" || name.startsWith("-")) {
      throw new ConfigError(`flag provided but not defined: -${name}`);
    }
    if (eq >= 0) values.set(name, body.slice(eq + 1));
    else if (spec.kind === "bool") values.set(name, "true");
    else {
      const next = argv[++i];
      if (next === undefined) throw new ConfigError(`flag needs an argument: -${name}`);
      values.set(name, next);
    }
  }
}

export function parseRaw(argv: readonly string[], env: Record<string, string | undefined>): RawFlags {
  const values = new Map<string, string>();
  parseArgv(argv, values);
  const explicit = new Set(values.keys());
  const warnings: string[] = [];
  const known = new Set<string>();
  for (const name of Object.keys(FLAGS)) {
    const key = envName(name);
    known.add(key);
    const fromEnv = env[key];
    if (fromEnv === undefined) continue;
    if (explicit.has(name)) warnings.push(`recognized environment variable ${key}, but unused: shadowed by corresponding flag`);
    else values.set(name, fromEnv);
  }
  for (const key of Object.keys(env)) {
    if (key.startsWith("ETCD_") && !known.has(key)) {
      warnings.push(`unrecognized environment variable ${key}=${env[key]}`);
    }
  }
  return { values, explicit, warnings };
}
