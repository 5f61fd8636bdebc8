// Command line → member | proxy | ctl. Replaced by the real entry point with server/config.
console.log("etcbun: not yet runnable");
process.exit(1);
