export { type Config, type LoadResult, loadConfig, type TlsFiles } from "./config.ts";
export { envName, FLAGS, helpText } from "./flags.ts";
export { parseGoBool, parseGoUint } from "./go-values.ts";
export { ConfigError } from "./parse.ts";
export { checkURL, listenAddress, parseURLs } from "./urls.ts";
