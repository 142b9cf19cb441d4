// Rolls the declarations of one entry module up into a single self-contained text: what the module
// exports, plus every declaration of this repository those exports refer to, inlined (not
// exported). Consumers then see the public API only, never the agent's internal modules.
// Uses only the TypeScript compiler the repository builds with; fails loudly on what it cannot
// roll up (a type from a package or from Node, a namespace import, two types of the same name).
import ts from 'typescript';
import { resolve } from 'node:path';

/** Emits the declarations of `entry` (and what it imports) in memory and rolls them up. */
export function rollupDeclarations(entry, tsconfigPath) {
  const config = ts.getParsedCommandLineOfConfigFile(resolve(tsconfigPath), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  const options = { ...config.options, declaration: true, emitDeclarationOnly: true, noEmit: false, declarationMap: false, sourceMap: false };
  const emitted = new Map();
  const program = ts.createProgram([resolve(entry)], options);
  const result = program.emit(undefined, (file, text) => emitted.set(resolve(file), text), undefined, true);
  // Type errors are tsc's job (npm test runs it); here only what stops the declarations.
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }));
  const outDir = resolve(options.outDir ?? options.rootDir ?? '.');
  const entryDts = resolve(outDir, ts.getRelativePathFromDirectory(resolve(options.rootDir ?? '.'), resolve(entry), false).replace(/\.ts$/, '.d.ts'));
  if (!emitted.has(entryDts)) throw new Error(`rollup: no declarations emitted for ${entry}`);

  // A second program over the emitted declarations, so that the checker resolves every name.
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => emitted.get(resolve(f)) ?? readFile(f);
  host.fileExists = (f) => emitted.has(resolve(f)) || fileExists(f);
  const dirs = new Set([...emitted.keys()].flatMap((f) => f.split(/[\\/]/).slice(1, -1).map((_, i, parts) => '/' + parts.slice(0, i + 1).join('/'))));
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (d) => dirs.has(resolve(d)) || (directoryExists ? directoryExists(d) : true);
  const dtsProgram = ts.createProgram([entryDts], { ...options, noEmit: true }, host);
  const checker = dtsProgram.getTypeChecker();
  const ours = (sf) => emitted.has(resolve(sf.fileName));

  const included = new Map(); // declaration node → name
  const byName = new Map(); // name → declaration node (collisions are refused)
  const publicNames = new Set();

  const include = (symbol, why) => {
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    for (const decl of symbol.declarations ?? []) {
      const sf = decl.getSourceFile();
      if (!ours(sf)) {
        if (sf.hasNoDefaultLib || /[\\/]typescript[\\/]lib[\\/]/.test(sf.fileName)) continue; // the language's own types
        throw new Error(`rollup: ${why} uses ${symbol.name} from ${sf.fileName}; consumers would need that package's types`);
      }
      const statement = topLevel(decl);
      if (!statement) continue; // a member, a parameter, a type parameter: part of something included
      if (included.has(statement)) continue;
      const name = symbol.name;
      const other = byName.get(name);
      if (other && other !== statement && !sameSymbolDeclarations(other, statement)) throw new Error(`rollup: two declarations named ${name}; rename one`);
      included.set(statement, name);
      byName.set(name, statement);
      visit(statement, name);
    }
  };
  const visit = (node, owner) => {
    node.forEachChild(function walk(child) {
      if (ts.isIdentifier(child) && !isDeclarationName(child)) {
        const symbol = checker.getSymbolAtLocation(child);
        if (symbol) include(symbol, owner);
      }
      if (ts.isImportTypeNode(child)) throw new Error(`rollup: ${owner} uses an import() type; give it a name in the source`);
      child.forEachChild(walk);
    });
  };

  const entryFile = dtsProgram.getSourceFile(entryDts);
  const moduleSymbol = checker.getSymbolAtLocation(entryFile);
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    publicNames.add(exported.name);
    include(exported, 'the API');
  }

  // In the order the files and declarations were written: entry file last keeps the reading order
  // "what the API uses, then the API".
  const statements = [...included.keys()].sort((a, b) => {
    const fa = a.getSourceFile().fileName, fb = b.getSourceFile().fileName;
    if (fa !== fb) return fa === entryDts ? 1 : fb === entryDts ? -1 : fa.localeCompare(fb);
    return a.pos - b.pos;
  });
  const text = statements.map((s) => printStatement(s, publicNames.has(included.get(s)))).join('\n');
  return `${text}\n\nexport {};\n`;
}

function topLevel(decl) {
  let n = decl;
  while (n.parent && !ts.isSourceFile(n.parent)) n = n.parent;
  if (!n.parent) return undefined;
  if (n !== decl && !ts.isVariableStatement(n)) return undefined;
  if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isImportEqualsDeclaration(n)) return undefined;
  return n;
}

function sameSymbolDeclarations(a, b) {
  // Interface merging within one file is fine; across files it would change meaning.
  return a.getSourceFile() === b.getSourceFile();
}

function isDeclarationName(id) {
  const p = id.parent;
  return p && 'name' in p && p.name === id && !ts.isTypeReferenceNode(p) && !ts.isQualifiedName(p) && !ts.isPropertyAccessExpression(p);
}

/** The statement's text with its JSDoc, exported only if the API exports it. */
function printStatement(statement, exported) {
  const sf = statement.getSourceFile();
  const jsDoc = sf.text.slice(statement.getStart(sf, true), statement.getStart(sf, false));
  let body = sf.text.slice(statement.getStart(sf, false), statement.getEnd()).replace(/^export\s+(default\s+)?/, '');
  if (exported) body = `export ${/^(interface|type|declare|enum|const enum)\b/.test(body) ? '' : 'declare '}${body}`;
  else if (!/^(interface|type|declare)\b/.test(body)) body = `declare ${body}`;
  return `${jsDoc}${body}`;
}
