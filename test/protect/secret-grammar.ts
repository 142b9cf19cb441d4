// Secrets generated from the grammar of each class (not taken from the corpus), for the property
// tests: fast-check picks a seed, a uniform PRNG turns it into a secret as random as a real one,
// and each generator returns the text a program would print around it and the part that must
// never come out.
import fc from 'fast-check';

export interface Planted {
  readonly cls: string;
  /** What a program prints (a message fragment containing the secret). */
  readonly text: string;
  /** What must not appear in the redacted output. */
  readonly secret: string;
}

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = ALNUM + '+/';
const B64URL = ALNUM + '-_';

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const str = (rng: Rng, alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(rng() * alphabet.length)]).join('');
/** A random token that looks like what a key generator emits (letters and digits mixed). */
function token(rng: Rng, alphabet: string, n: number): string {
  for (;;) {
    const s = str(rng, alphabet, n);
    const digits = (s.match(/\d/g) ?? []).length;
    if (digits >= 2 && (!/[A-Z]/.test(alphabet) || (/[a-z]/.test(s) && /[A-Z]/.test(s)))) return s;
  }
}
/** A name-like segment that appears nowhere by chance: a word plus a random suffix. */
const name = (rng: Rng): string => `${pick(rng, ['acme', 'merger', 'client', 'vault', 'ledger', 'patient', 'payroll', 'stealth', 'orion', 'tenant'])}-${str(rng, LOWER + DIGITS, 6)}`;

function luhnDigit(body: string): string {
  for (let d = 0; d < 10; d++) {
    const c = body + d;
    let sum = 0;
    for (let i = 0; i < c.length; i++) {
      let x = Number(c[c.length - 1 - i]);
      if (i % 2 === 1) { x *= 2; if (x > 9) x -= 9; }
      sum += x;
    }
    if (sum % 10 === 0) return String(d);
  }
  return '0';
}

function keyName(rng: Rng, last: string): string {
  const words = [pick(rng, ['account', 'signing', 'encryption', 'master', 'db', 'app', 'client', 'webhook', 'storage', 'service', 'my', 'x']), ...(rng() < 0.4 ? [pick(rng, ['primary', 'main', 'prod'])] : []), last];
  switch (int(rng, 0, 3)) {
    case 0: return words.join('_').toUpperCase();
    case 1: return words.join('_');
    case 2: return words.join('-');
    default: return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  }
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

/** One generator per class; each takes a PRNG and returns a planted secret with its text. */
export const GRAMMARS: Record<string, (rng: Rng) => Planted> = {
  'api-key': (rng) => {
    const k = pick(rng, [
      () => `sk-${pick(rng, ['', 'proj-', 'svcacct-'])}${token(rng, ALNUM, int(rng, 40, 64))}`,
      () => `sk-ant-api03-${token(rng, B64URL, 80)}`,
      () => `gh${pick(rng, ['p', 'o', 'u', 's', 'r'])}_${token(rng, ALNUM, 36)}`,
      () => `github_pat_${token(rng, ALNUM, 22)}_${token(rng, ALNUM, 59)}`,
      () => `${pick(rng, ['AKIA', 'ASIA'])}${str(rng, UPPER + DIGITS, 16)}`,
      () => `xox${pick(rng, ['b', 'p', 'a'])}-${str(rng, DIGITS, 12)}-${token(rng, ALNUM, 24)}`,
      () => `hf_${token(rng, ALNUM, 34)}`,
      () => `glpat-${token(rng, B64URL, 20)}`,
      () => `AIza${token(rng, B64URL, 35)}`,
      () => `${pick(rng, ['sk', 'rk'])}_${pick(rng, ['live', 'test'])}_${token(rng, ALNUM, int(rng, 24, 99))}`,
      () => `npm_${token(rng, ALNUM, 36)}`,
      () => `${pick(rng, ['zz', 'acme', 'tool', 'api'])}_${pick(rng, ['', 'live_', 'prod_'])}${token(rng, ALNUM, int(rng, 24, 48))}`,
    ])();
    return { cls: 'api-key', secret: k, text: pick(rng, [`key ${k} rejected`, `401 for "${k}"`, `using ${k}`]) };
  },
  'value-after-separator': (rng) => {
    const v = pick(rng, [() => token(rng, B64, int(rng, 24, 88)) + pick(rng, ['', '=', '==']), () => token(rng, B64URL, int(rng, 22, 64)), () => str(rng, HEX, int(rng, 24, 64))])();
    const k = keyName(rng, pick(rng, ['value', 'data', 'blob', 'code', 'id', 'cipher', 'seed', 'material']));
    return { cls: 'value-after-separator', secret: v, text: pick(rng, [`${k}=${v}`, `${k}: ${v}`, `"${k}":"${v}"`, `${k}='${v}'`]) };
  },
  'sensitive-key': (rng) => {
    const v = `${str(rng, LOWER, 3)}${str(rng, ALNUM + '!#%^*', int(rng, 5, 16))}`;
    const k = keyName(rng, pick(rng, ['key', 'token', 'secret', 'password', 'passwd', 'pwd', 'credential', 'signature', 'csrftoken', 'sessionid']));
    return { cls: 'sensitive-key', secret: v, text: pick(rng, [`${k}=${v}`, `${k}: ${v}`, `"${k}": "${v}"`, `${k} = '${v}'`]) };
  },
  jwt: (rng) => {
    const t = `${b64url(JSON.stringify({ alg: pick(rng, ['HS256', 'RS256', 'ES256']), typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: str(rng, DIGITS, 8), name: name(rng), iat: int(rng, 1e9, 2e9) }))}.${token(rng, B64URL, 43)}`;
    return { cls: 'jwt', secret: t.split('.')[2], text: pick(rng, [`jwt malformed: ${t}`, `Authorization: Bearer ${t}`, `{"id_token":"${t}"}`]) };
  },
  bearer: (rng) => {
    const t = token(rng, ALNUM + '._-', int(rng, 20, 60));
    return { cls: 'bearer', secret: t, text: `${pick(rng, ['Authorization: Bearer', 'authorization: bearer', 'Proxy-Authorization: Bearer'])} ${t}` };
  },
  email: (rng) => {
    const e = `${str(rng, LOWER, int(rng, 2, 8))}${pick(rng, ['.', '_', '+', '-', ''])}${str(rng, LOWER + DIGITS, int(rng, 3, 8))}@${str(rng, LOWER, int(rng, 3, 10))}.${pick(rng, ['com', 'io', 'co.uk', 'dev', 'example.org'])}`;
    return { cls: 'email', secret: e, text: pick(rng, [`notify ${e} failed`, `<${e}>`, `From: ${e}`]) };
  },
  ipv4: (rng) => {
    const ip = [int(rng, 1, 223), int(rng, 0, 255), int(rng, 0, 255), int(rng, 1, 254)].join('.');
    return { cls: 'ipv4', secret: ip, text: pick(rng, [`connect ECONNREFUSED ${ip}:${int(rng, 80, 9999)}`, `client ${ip} gone`, `host=${ip}`]) };
  },
  ipv6: (rng) => {
    const groups = Array.from({ length: 8 }, () => str(rng, HEX, int(rng, 3, 4)).replace(/^0+(?=.)/, ''));
    const full = groups.join(':');
    const start = int(rng, 1, 5);
    const compressed = `${groups.slice(0, start).join(':')}::${groups.slice(start + 2).join(':')}`;
    const ip = rng() < 0.5 ? full : compressed;
    return { cls: 'ipv6', secret: ip, text: pick(rng, [`connect ETIMEDOUT ${ip} port 443`, `[${ip}]:8080 refused`, `peer ${ip}`]) };
  },
  mac: (rng) => {
    const bytes = Array.from({ length: 6 }, () => str(rng, HEX, 2));
    const mac = pick(rng, [() => bytes.join(':'), () => bytes.join('-').toUpperCase(), () => `${bytes[0]}${bytes[1]}.${bytes[2]}${bytes[3]}.${bytes[4]}${bytes[5]}`])();
    return { cls: 'mac', secret: mac, text: pick(rng, [`interface ${mac} down`, `hw=${mac}`, `arp ${mac} on eth0`]) };
  },
  card: (rng) => {
    const [prefix, len] = pick(rng, [['4', 16], ['51', 16], ['55', 16], ['2221', 16], ['34', 15], ['37', 15], ['6011', 16], ['65', 16], ['35', 16]] as const);
    const body = prefix + str(rng, DIGITS, len - prefix.length - 1);
    const n = body + luhnDigit(body);
    const shown = pick(rng, [() => n, () => n.replace(/(\d{4})(?=\d)/g, '$1 '), () => n.replace(/(\d{4})(?=\d)/g, '$1-')])();
    return { cls: 'card', secret: shown, text: pick(rng, [`card ${shown} declined`, `pan=${shown}`, `{"number":"${shown}"}`]) };
  },
  'absolute-path': (rng) => {
    const secret = name(rng);
    const file = `${pick(rng, ['train', 'model', 'data', 'weights'])}.${pick(rng, ['onnx', 'csv', 'json', 'bin', 'mjs', 'js'])}`;
    const p = pick(rng, [
      () => `/home/${str(rng, LOWER, 5)}/${secret}/${file}`,
      () => `/Users/${str(rng, LOWER, 5)}/Documents/${secret} ${str(rng, LOWER, 4)}/${file}`,
      () => `/srv/${secret}/${file}`,
      () => `~/${secret}/${file}`,
      () => `C:\\Users\\${str(rng, LOWER, 5)}\\${secret}\\${file}`,
      () => `D:/work/${secret}/${file}`,
      () => `\\\\${secret}\\share\\${file}`,
      () => `smb://${secret}/share/${file}`,
      () => `file:///home/${str(rng, LOWER, 5)}/${secret}/${file}`,
      () => `file:///C:/x/${secret}/${file}`,
      () => encodeURIComponent(`/home/${str(rng, LOWER, 5)}/${secret}/${file}`),
    ])();
    return { cls: 'absolute-path', secret, text: pick(rng, [`ENOENT: open '${p}'`, `    at fn (${p}:${int(rng, 1, 999)}:${int(rng, 1, 80)})`, `failed to load ${p}`, `{"path":"${p.replace(/\\/g, '\\\\')}"}`]) };
  },
  'relative-path': (rng) => {
    const secret = name(rng);
    const p = pick(rng, [
      () => `out/${secret}`,
      () => `./${secret}/model.json`,
      () => `../${secret}`,
      () => `models/${secret}/weights.bin`,
      () => `${secret}.onnx`,
      () => `localstorage://${secret}`,
      () => `indexeddb://${secret}`,
      () => `file://${secret}/model.json`,
    ])();
    return { cls: 'relative-path', secret, text: pick(rng, [`Cannot find any save handlers for URL '${p}'`, `Cannot find any load handlers for URL "${p}"`, `could not read ${p}`, `model path ${p} invalid`]) };
  },
  'app-frame': (rng) => {
    const secret = name(rng);
    const loc = `${int(rng, 1, 999)}:${int(rng, 1, 80)}`;
    const frame = pick(rng, [`at ${secret}.mjs:${loc}`, `at main (${secret}.js:${loc})`, `at file:///app/${secret}.mjs:${loc}`, `at Object.<anonymous> (/opt/app/${secret}.cjs:${loc})`]);
    return { cls: 'app-frame', secret, text: `Error: x\n    ${frame}` };
  },
  'url-credentials': (rng) => {
    const pw = `${str(rng, ALNUM, 3)}${pick(rng, ['/', ' ', '', '%2F', '/x '])}${str(rng, ALNUM + '!$*', int(rng, 5, 12))}`;
    const url = `${pick(rng, ['https', 'postgres', 'mongodb+srv', 'redis', 'amqp', 'mysql'])}://${pick(rng, ['', str(rng, LOWER, 5)])}:${pw}@${str(rng, LOWER, 6)}.example.net:${int(rng, 80, 9999)}/${str(rng, LOWER, 4)}`;
    return { cls: 'url-credentials', secret: pw, text: pick(rng, [`connect failed: ${url}`, `GET ${url} -> 403`]) };
  },
  cookie: (rng) => {
    const v = token(rng, ALNUM, int(rng, 16, 64));
    return { cls: 'cookie', secret: v, text: pick(rng, [`Cookie: csrftoken=${v}; theme=dark`, `Set-Cookie: ${str(rng, LOWER, 6)}=${v}; Path=/`, `X-CSRFToken: ${v}`, `csrftoken=${v}`]) };
  },
  pem: (rng) => {
    const lines = Array.from({ length: int(rng, 2, 6) }, () => token(rng, B64, 64));
    const label = pick(rng, ['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
    const nl = pick(rng, ['\n', '\\n', '\r\n']);
    const end = rng() < 0.8 ? `${nl}-----END ${label}-----` : '';
    return { cls: 'pem', secret: lines[lines.length - 1], text: `-----BEGIN ${label}-----${nl}${lines.join(nl)}${end}` };
  },
};

export const CLASSES = Object.keys(GRAMMARS);

/** A planted secret of `cls` (or any class), from a fast-check seed. */
export const plantedSecret = (cls?: string): fc.Arbitrary<Planted> =>
  fc.tuple(fc.integer(), fc.constantFrom(...(cls ? [cls] : CLASSES))).map(([seed, c]) => GRAMMARS[c](mulberry32(seed)));
