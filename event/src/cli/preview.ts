/**
 * `npm run preview -- order <id>` | `customer <id>` | `--file resource.json [--type order|customer]`
 *
 * Prints, as JSON on stdout, the Segment calls the connector would make for the creation of an
 * order (guest identify + Order Completed) or a customer (identify + Signed Up), with their
 * messageIds, without sending anything. Reads commercetools (the resource, and the guest email
 * look-up) with the same configuration as the server.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConnectorError } from '../errors';
import { createConnectorDependencies } from '../dependencies';
import { entryEnvironment, loadEntryConfig, runCommand, UsageError } from '../entry';
import { formatPreview, previewResource, type PreviewRequest, type ResourceType } from '../tools/preview';

const USAGE = `usage:
  npm run preview -- order <order-id>
  npm run preview -- customer <customer-id>
  npm run preview -- --file resource.json [--type order|customer]

Prints the Segment calls the connector would make when the order or customer is created
(order: guest identify + Order Completed; customer: identify + Signed Up), as JSON, and sends
nothing. It reads commercetools with the same configuration as the server (environment or .env),
so the whole configuration is required, --file included (a guest order's email look-up reads
commercetools). Exit codes: 0 printed (or skipped), 1 not found or unreadable, 2 usage or configuration.
`;

/** The file given could not be read as JSON: exit 1, like a resource that is not found. */
class ReadError extends Error {}

const RESOURCE_TYPES: readonly ResourceType[] = ['order', 'customer'];
const isResourceType = (value: string | undefined): value is ResourceType =>
  RESOURCE_TYPES.includes(value as ResourceType);

async function requestFrom(argv: string[]): Promise<PreviewRequest | 'help'> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      type: { type: 'string', short: 't' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.type !== undefined && !isResourceType(values.type))
    throw new UsageError('--type must be order or customer');
  if (values.file !== undefined) {
    if (positionals.length > 0) throw new UsageError('give either --file or a resource type and id, not both');
    let text: string;
    try {
      text = await readFile(values.file, 'utf8');
    } catch (error) {
      throw new ReadError(`cannot read ${values.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let resource: unknown;
    try {
      resource = JSON.parse(text);
    } catch {
      throw new ReadError(`${values.file} does not hold JSON`);
    }
    return { kind: 'file', resource, ...(values.type ? { resourceType: values.type } : {}) };
  }
  const [resourceType, id, ...rest] = positionals;
  if (!isResourceType(resourceType) || !id || rest.length > 0)
    throw new UsageError('expected order <id>, customer <id> or --file <path>');
  return { kind: 'id', resourceType, id };
}

async function main(): Promise<number> {
  let request: PreviewRequest | 'help';
  try {
    request = await requestFrom(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ReadError) {
      process.stderr.write(`preview: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`preview: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (request === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  const loaded = loadEntryConfig(entryEnvironment(), { name: 'preview' });
  if (loaded.kind === 'invalid') return 2;
  const { commercetools, mapping, catalog, events, segment } = createConnectorDependencies(loaded.config);
  try {
    const output = formatPreview(
      await previewResource(request, { commercetools, mapping, events, ...(catalog ? { catalog } : {}) }),
    );
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.exitCode;
  } catch (error) {
    // Bad files and commercetools failures carry a message meant to be shown; nothing else does.
    const message =
      error instanceof ConnectorError ? error.publicMessage : error instanceof Error ? error.message : String(error);
    process.stderr.write(`preview failed: ${message}\n`);
    return 1;
  } finally {
    // Nothing was queued: this only releases the sink.
    await segment.close(100).catch(() => undefined);
  }
}

runCommand('preview', () => main());
