import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConnectorSpecificationParser } from '@commercetools-connect/specification';
import { parse } from 'dotenv';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';
import { TRACK_EVENTS } from '../src/events';
import { SKIP_REASONS } from '../src/outcome';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const configurationPage = read('docs/configuration.md');
const eventsPage = read('docs/events.md');
const deliveryPage = read('docs/delivery.md');
const connectYaml = read('connect.yaml');
const envExampleText = read('event/.env.example');
const envExample = parse(envExampleText);

/** Every page a reader reaches from the README. */
const PAGES = [
  'README.md',
  'CHANGELOG.md',
  'event/bench/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Variables Connect sets itself from inheritAs.apiClient: declaring them in connect.yaml would conflict. */
const PROVIDED_BY_CONNECT = [
  'CTP_PROJECT_KEY',
  'CTP_CLIENT_ID',
  'CTP_CLIENT_SECRET',
  'CTP_SCOPE',
  'CTP_API_URL',
  'CTP_AUTH_URL',
];
/**
 * The port is the runtime's business on Connect (its default, 8080, is what Connect expects);
 * push authentication and the Prometheus endpoint are for self-hosting, where no connect.yaml is
 * read; the OTLP service name and interval have defaults fit for Connect.
 */
const RUNTIME_ONLY = [
  'PORT',
  'PUBSUB_AUDIENCE',
  'PUBSUB_SERVICE_ACCOUNT_EMAIL',
  'METRICS_PROMETHEUS',
  'OTEL_SERVICE_NAME',
  'OTEL_METRIC_EXPORT_INTERVAL',
];

/** Markdown without its fenced code blocks and inline code: what is left is prose, headings, tables and links. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The rows of a markdown table whose first cell names one or more values in backticks, as [first cell values, other cells]. */
function tableRows(markdown: string): { names: string[]; cells: string[] }[] {
  return markdown
    .split('\n')
    .filter((line) => /^\| `/.test(line))
    .map((line) => {
      const cells = line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim());
      return { names: [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''), cells };
    });
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, each space a hyphen. */
function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const slug = headingSlug((heading ?? '').replace(/[`*_]/g, ''));
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** Relative links of a page (to files of the repository, or to its own headings) that lead nowhere. */
function brokenLinks(page: string, markdown: string, readPage: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const [, target] of withoutCode(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (!target || /^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto: …
    const [path = '', anchor] = target.split('#');
    const file = path === '' ? page : relative(root, resolve(root, dirname(page), path));
    const text = readPage(file);
    if (text === undefined) broken.push(`${target} (no file ${file})`);
    else if (anchor && file.endsWith('.md') && !anchorsOf(text).has(anchor)) broken.push(`${target} (no heading)`);
  }
  return broken;
}

function readRepositoryFile(path: string): string | undefined {
  const full = join(root, path);
  if (!existsSync(full)) return undefined;
  return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
}

describe('every setting is documented', () => {
  const documented = tableRows(configurationPage).flatMap((row) => row.names);

  it.each(CONFIG_VARIABLES)('%s is in .env.example, docs/configuration.md and connect.yaml', (variable) => {
    expect(Object.keys(envExample)).toContain(variable);
    expect(documented).toContain(variable);
    if (![...PROVIDED_BY_CONNECT, ...RUNTIME_ONLY].includes(variable))
      expect(connectYaml).toContain(`key: ${variable}`);
  });

  it('docs/configuration.md documents no variable the connector does not read', () => {
    const variables = documented.filter((name) => /^[A-Z][A-Z0-9_]+$/.test(name));
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(variables));
  });

  it('.env.example holds only variables the connector reads, and its values are valid', () => {
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(Object.keys(envExample)));
    const required = { CTP_PROJECT_KEY: 'p', CTP_CLIENT_ID: 'i', CTP_CLIENT_SECRET: 's', SEGMENT_WRITE_KEY: 'w' };
    expect(() => loadConfig({ ...envExample, ...required })).not.toThrow();
  });
});

describe('every API scope is documented as connect.yaml asks for it', () => {
  it('docs/configuration.md and .env.example list exactly the scopes of inheritAs.apiClient', async () => {
    const specification = (await new ConnectorSpecificationParser().parse(connectYaml)) as unknown as {
      inheritAs: { apiClient: { scopes: string[] } };
    };
    const scopes = specification.inheritAs.apiClient.scopes;
    const documented = tableRows(configurationPage)
      .flatMap((row) => row.names)
      .filter((name) => /^(view|manage)_[a-z_]+$/.test(name));
    expect([...documented].sort()).toEqual([...scopes].sort());
    for (const scope of scopes) expect(envExampleText).toContain(scope);
  });
});

describe('every event is documented', () => {
  it.each(Object.values(TRACK_EVENTS).map((event) => event.defaultName))('%s is in docs/events.md', (name) => {
    expect(eventsPage).toContain(`**${name}**`);
  });
});

describe('every skip reason is documented', () => {
  const rows = new Map(
    tableRows(deliveryPage)
      .filter((row) => row.cells.length === 3 && /^(info|warn|error)$/.test(row.cells[1] ?? ''))
      .map((row) => [row.names[0], row.cells[1]]),
  );

  it.each(Object.entries(SKIP_REASONS))('%s is in docs/delivery.md, logged at %s', (reason, level) => {
    expect(rows.get(reason)).toBe(level);
  });

  it('docs/delivery.md lists no skip reason the connector does not have', () => {
    expect(Object.keys(SKIP_REASONS)).toEqual(expect.arrayContaining([...rows.keys()]));
  });
});

/** Paths of the connector's files the markdown names in inline code (`src/…`, `test/…`, `bench/…`, `scripts/…`) that do not exist. */
function missingPaths(markdown: string, exists: (path: string) => boolean): string[] {
  const named = [...markdown.matchAll(/`(?:event\/)?((?:src|test|bench|scripts)\/[^`\s…]+)`/g)].map(
    (match) => match[1]!,
  );
  return [...new Set(named)].filter((path) => !exists(path));
}

const existsInEvent = (path: string) => existsSync(join(root, 'event', path));

describe('the pages hold together', () => {
  it.each(PAGES)('every source or test file %s names exists', (page) => {
    expect(missingPaths(read(page), existsInEvent)).toEqual([]);
  });

  it.each(PAGES)('every relative link of %s leads to a file, and to a heading when it names one', (page) => {
    expect(brokenLinks(page, read(page), readRepositoryFile)).toEqual([]);
  });

  it('the README stays a landing page (under 12 KB)', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThan(12 * 1024);
  });

  it('keeps the README’s test command, which CI runs', () => {
    expect(read('README.md')).toMatch(/^npm test +# the whole test suite \(in event\/\)$/m);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });
});

describe('the checks can fail', () => {
  it('finds a named file that is not there', () => {
    const exists = (path: string) => path === 'src/here.ts';
    expect(missingPaths('`src/here.ts` `event/test/gone.test.ts` `src/mapping/…` `not/a/path.ts`', exists)).toEqual([
      'test/gone.test.ts',
    ]);
  });

  it('finds a missing file, a missing heading and code that only looks like a link', () => {
    const pages: Record<string, string> = { 'docs/a.md': '# A page\n\n## Some: heading', 'docs/b.md': '' };
    const readPage = (path: string) => pages[path];
    const markdown = [
      '[ok](b.md) [ok](a.md#some-heading) [ok](#a-page) [web](https://example.com)',
      '[gone](c.md) [no heading](a.md#other)',
      '`[code](d.md)`',
      '```\n[block](e.md)\n```',
    ].join('\n');
    expect(brokenLinks('docs/a.md', markdown, readPage)).toEqual([
      'c.md (no file docs/c.md)',
      'a.md#other (no heading)',
    ]);
  });

  it('names headings as GitHub does', () => {
    expect(headingSlug('The trust model: what a notification may carry')).toBe(
      'the-trust-model-what-a-notification-may-carry',
    );
    expect(headingSlug("Segment's limits")).toBe('segments-limits');
  });

  it('misses a setting removed from the table', () => {
    const without = configurationPage.replace(/^\| `LOCALE` .*$/m, '');
    expect(tableRows(without).flatMap((row) => row.names)).not.toContain('LOCALE');
  });
});
