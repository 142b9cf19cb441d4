// Configuration secrets (credentials in an endpoint URL, query tokens) are shown nowhere: every
// place that prints an endpoint — `status`, inspect header lines, debug lines, configuration
// warnings — goes through these two functions, so there is one rule to get right.

/**
 * An endpoint as it may be shown: the user-info part (`user:pass@`) becomes `***@` and every
 * query value becomes `***`. Works on text that is not a valid URL too (a bad endpoint is echoed
 * in a warning): everything between the scheme's `//` (or the start) and the last `@` before the
 * query is treated as credentials, so a password containing `/`, `:` or `@` is still hidden.
 */
export function maskUrl(raw: string): string {
  let head = '';
  let rest = raw;
  // The last `@` anywhere: a password may contain `/`, `?` or `#` unescaped. Masking a host
  // after an `@` in a query (`?mail=a@b`) hides more than needed, never less.
  const at = raw.lastIndexOf('@');
  if (at >= 0) {
    const scheme = /^\s*[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(raw);
    const from = scheme ? scheme[0].length : 0;
    if (at >= from) {
      head = raw.slice(0, from) + '***@';
      rest = raw.slice(at + 1);
    }
  }
  const q = rest.search(/[?#]/);
  return q < 0 ? head + rest : head + rest.slice(0, q) + maskQuery(rest.slice(q));
}

/** `?a=1&b=2#frag` → `?a=***&b=***`; a fragment is dropped (never sent anyway). */
function maskQuery(tail: string): string {
  if (tail === '') return '';
  const hash = tail.indexOf('#');
  const query = hash < 0 ? tail : tail.slice(0, hash);
  if (query === '') return '';
  const parts = query.slice(1).split('&').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? (p === '' ? p : '***') : `${p.slice(0, eq)}=***`;
  });
  return '?' + parts.join('&');
}

const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]+/g;

/** Masks every URL inside a free-text line (debug lines carry URLs from several places). */
export function maskSecretsInText(text: string): string {
  return text.replace(URL_IN_TEXT, (u) => maskUrl(u));
}
