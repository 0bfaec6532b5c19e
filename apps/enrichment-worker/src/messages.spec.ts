import { classifyWriteError } from './catalog-writer';
import { PermanentJobError } from './errors';
import { newJobMessage, parseWork } from './messages';
import { parseResult, parseTags } from './prompts';

const envelope = (type: string, detail: Record<string, unknown>) =>
  JSON.stringify({
    version: '0',
    id: 'evt-1',
    'detail-type': `CatalogUpdate.${type}`,
    source: 'mangaassist.catalog',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      product_id: 'p-1',
      title: 'ワンピース',
      update_type: type,
      data: { author: '尾田栄一郎', volume: 107 },
      ...detail,
    },
  });

describe('parseWork', () => {
  it('reads an admin job', () => {
    const msg = newJobMessage({ mangaId: 'm-1', type: 'tags', manga: { title: 'Naruto' } });
    expect(parseWork(JSON.stringify(msg), 'x')).toMatchObject({
      action: 'enrich',
      jobId: msg.jobId,
      mangaId: 'm-1',
      type: 'tags',
    });
  });

  it('turns a CatalogUpdate.new_release envelope into a description job keyed by the event id', () => {
    expect(parseWork(envelope('new_release', {}), 'x')).toMatchObject({
      action: 'enrich',
      jobId: 'event-evt-1',
      mangaId: 'p-1',
      type: 'description',
      manga: { title: 'ワンピース', author: '尾田栄一郎', volume: '107' },
    });
  });

  it('skips discontinued items with a reason', () => {
    expect(parseWork(envelope('discontinued', {}), 'x')).toMatchObject({
      action: 'skip',
      reason: 'discontinued_product',
    });
  });

  it('classifies bad JSON and schema violations as permanent, keeping the job id when it can', () => {
    expect(() => parseWork('{oops', 'm1')).toThrow(PermanentJobError);
    try {
      parseWork(JSON.stringify({ kind: 'enrichment-job', jobId: 'j-9', mangaId: 'm' }), 'm1');
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_JOB', jobId: 'j-9' });
    }
    try {
      parseWork(envelope('new_release', { update_type: 'price_change' }), 'm1');
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_JOB', jobId: 'event-evt-1' });
    }
  });
});

describe('prompt results', () => {
  it('parses tags from a Tags: line, Japanese commas included', () => {
    expect(parseTags('Great.\nTags: 冒険、海賊, action ,  friendship')).toEqual([
      '冒険',
      '海賊',
      'action',
      'friendship',
    ]);
    expect(parseResult('description', 'A story.\nTags: a, b')).toEqual({
      description: 'A story.',
      tags: ['a', 'b'],
    });
  });
});

describe('classifyWriteError', () => {
  const named = (name: string, status?: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  it('AccessDenied, ResourceNotFound and Validation are critical; throttling retryable; 5xx retryable', () => {
    expect(classifyWriteError(named('AccessDeniedException'))).toEqual({
      code: 'AccessDeniedException',
      severity: 'critical',
    });
    expect(classifyWriteError(named('ResourceNotFoundException'))).toMatchObject({ severity: 'critical' });
    expect(classifyWriteError(named('ValidationException'))).toMatchObject({ severity: 'critical' });
    expect(classifyWriteError(named('ProvisionedThroughputExceededException'))).toMatchObject({
      severity: 'retryable',
    });
    expect(classifyWriteError(named('ThrottlingException'))).toMatchObject({ severity: 'retryable' });
    expect(classifyWriteError(named('SomethingOdd', 503))).toMatchObject({ severity: 'retryable' });
    expect(classifyWriteError(named('SomethingOdd', 400))).toMatchObject({ severity: 'unknown' });
  });
});
