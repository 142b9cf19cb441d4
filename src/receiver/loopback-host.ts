// DNS rebinding: a web page on evil.example can make its name resolve to 127.0.0.1 and then
// talk to a loopback server from the victim's browser. The browser still sends
// `Host: evil.example`, so a loopback-only server refuses every Host that is not a loopback
// name or address.

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`, with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = hostName(host.trim().toLowerCase());
  if (name === undefined) return false;
  if (name === 'localhost' || name === 'localhost.' || name.endsWith('.localhost') || name.endsWith('.localhost.')) return true;
  if (name === '[::1]' || name === '[0:0:0:0:0:0:0:1]') return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets !== null && octets[1] === '127' && octets.slice(2).every((o) => Number(o) <= 255);
}

/** The name part of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`); undefined if malformed. */
function hostName(host: string): string | undefined {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return undefined;
    const rest = host.slice(end + 1);
    return rest === '' || /^:\d{1,5}$/.test(rest) ? host.slice(0, end + 1) : undefined;
  }
  const colon = host.indexOf(':');
  if (colon < 0) return host;
  return /^\d{1,5}$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : undefined;
}
