import { Parser } from '@asyncapi/parser';
import { ASYNCAPI_DOCUMENTS } from './asyncapi';

/** Parses each AsyncAPI document with the official parser; exits 1 listing every error. */
async function main(): Promise<void> {
  const parser = new Parser();
  let failed = false;
  for (const { name, build } of ASYNCAPI_DOCUMENTS) {
    const { document, diagnostics } = await parser.parse(JSON.stringify(build()));
    const errors = diagnostics.filter((d) => d.severity === 0);
    if (!document || errors.length) {
      failed = true;
      console.error(`${name}: ${errors.map((d) => `${d.path.join('.')}: ${d.message}`).join('\n  ')}`);
    } else
      console.log(
        `${name}: valid AsyncAPI ${document.version()} (${document.channels().length} channels, ${document.messages().length} messages)`,
      );
  }
  if (failed) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
