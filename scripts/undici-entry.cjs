// What spice uses of undici, bundled alone as dist/undici.cjs (scripts/build.mjs): the Agent and
// ProxyAgent dispatchers with the request API undici's own entry gives them (ProxyAgent tunnels
// through connect()), and the Pool that plain http is asked of a proxy through. That entry also
// loads fetch, WebSocket, EventSource, the cache and the mocks: requiring its bundle took 43 ms
// per run that touched the network, this one 25 ms (medians of 20 runs each; 19 ms with its code
// cache, src/cli/entry.ts).
const Dispatcher = require("undici/lib/dispatcher/dispatcher");
Object.assign(Dispatcher.prototype, require("undici/lib/api"));
module.exports.Agent = require("undici/lib/dispatcher/agent");
module.exports.ProxyAgent = require("undici/lib/dispatcher/proxy-agent");
module.exports.Pool = require("undici/lib/dispatcher/pool");
