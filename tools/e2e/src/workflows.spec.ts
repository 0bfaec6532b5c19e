import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createProjectGraphAsync, type ProjectGraph } from '@nx/devkit';
import { parse } from 'yaml';

// The GitHub workflows cannot run here; this checks they parse and that every Nx target, npm
// script and repository script they call exists (targets as Nx sees them, inferred ones included).
const root = resolve(__dirname, '../../..');
const dir = join(root, '.github', 'workflows');
interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  environment?: string | { name: string };
  steps: Step[];
}
interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflows: Record<string, Workflow> = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => [f, parse(readFileSync(join(dir, f), 'utf8')) as Workflow]),
);
const runs = (wf: Workflow) =>
  Object.values(wf.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run ? [s.run] : [])));
const uses = (wf: Workflow) =>
  Object.values(wf.jobs).flatMap((job) => job.steps.flatMap((s) => (s.uses ? [s.uses] : [])));

/** Every Nx invocation in a run script: the targets it names and, for `nx run`, project and configuration. */
function nxCalls(script: string) {
  const calls: {
    command: string;
    targets: string[];
    project?: string;
    configuration?: string;
    /** `--name=value` options given to `nx run` (read by run-commands targets as {args.name}). */
    args?: Record<string, string>;
  }[] = [];
  for (const line of script.split('\n')) {
    const m = /\bnpx nx (affected|run-many|run)\b(.*)/.exec(line);
    if (!m) continue;
    const [, kind, rest] = m;
    if (kind === 'run') {
      const [spec] = rest.trim().split(/\s+/);
      const [project, target, config] = spec.split(':');
      const configuration = /--configuration[= ](\S+)/.exec(rest)?.[1] ?? config;
      const args = Object.fromEntries(
        [...rest.matchAll(/--([\w-]+)=(\S+)/g)]
          .filter(([, name]) => !NX_OPTIONS.includes(name))
          .map(([, name, value]) => [name, value]),
      );
      calls.push({ command: line.trim(), targets: [target], project, configuration, args });
    } else {
      const tokens = rest.trim().split(/\s+/);
      const targets: string[] = [];
      for (let i = 0; i < tokens.length; i++) {
        const inline = /^--targets?=(.+)$/.exec(tokens[i]);
        if (inline) targets.push(...inline[1].split(','));
        if (tokens[i] !== '-t' && tokens[i] !== '--targets' && tokens[i] !== '--target') continue;
        for (i++; i < tokens.length && !tokens[i].startsWith('-'); i++)
          targets.push(...tokens[i].split(',').filter(Boolean));
        i--;
      }
      calls.push({ command: line.trim(), targets });
    }
  }
  return calls;
}

/** Options nx itself takes (not forwarded to a target's command). */
const NX_OPTIONS = [
  'configuration',
  'outputStyle',
  'verbose',
  'skip-nx-cache',
  'skipNxCache',
  'parallel',
  'base',
  'head',
];

let graph: ProjectGraph;
beforeAll(async () => {
  graph = await createProjectGraphAsync({ exitOnError: false });
}, 120_000);

describe('.github/workflows', () => {
  it('has ci.yml and deploy.yml, each parsing to jobs with steps', () => {
    expect(Object.keys(workflows)).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml']));
    for (const [file, wf] of Object.entries(workflows)) {
      expect({ file, jobs: Object.keys(wf.jobs ?? {}).length > 0 }).toEqual({ file, jobs: true });
      for (const job of Object.values(wf.jobs)) expect(Array.isArray(job.steps)).toBe(true);
    }
  });

  it('ci.yml runs nx affected -t lint typecheck test integration build container (unit and emulator-backed tests)', () => {
    const calls = runs(workflows['ci.yml']).flatMap(nxCalls);
    expect(calls.map((c) => c.targets)).toContainEqual([
      'lint',
      'typecheck',
      'test',
      'integration',
      'build',
      'container',
    ]);
  });

  it('deploy.yml: OIDC credentials, affected images pushed to ECR, then dev, then prod behind an approval environment', () => {
    const wf = workflows['deploy.yml'];
    expect(wf.permissions).toMatchObject({ 'id-token': 'write' });
    expect(uses(wf).some((u) => u.startsWith('aws-actions/configure-aws-credentials@'))).toBe(true);
    const affectedPush = runs(wf)
      .flatMap(nxCalls)
      .find((c) => c.command.includes('affected'));
    expect(affectedPush?.targets).toEqual(['push']);
    const deploys = Object.entries(wf.jobs).flatMap(([name, job]) =>
      job.steps
        .flatMap((s) => (s.run ? nxCalls(s.run) : []))
        .filter((c) => c.project === 'infra')
        .map((c) => ({ name, job, target: c.targets[0], ...c.args })),
    );
    // Each stage deploys the images of this revision (never `latest`).
    expect(deploys).toEqual([
      expect.objectContaining({ target: 'deploy', stage: 'dev', imageTag: '$IMAGE_TAG' }),
      expect.objectContaining({ target: 'deploy', stage: 'prod', imageTag: '$IMAGE_TAG' }),
    ]);
    for (const { job } of deploys) {
      expect(job.steps.find((s) => s.run?.includes('infra:deploy'))).toMatchObject({
        env: { IMAGE_TAG: '${{ needs.images.outputs.image-tag }}' },
      });
    }
    const prod = deploys[1].job;
    expect(prod.environment).toBeDefined();
    expect([prod.needs].flat()).toContain(deploys[0].name);
  });

  it('every Nx target and configuration they call exists', () => {
    const missing: string[] = [];
    for (const [file, wf] of Object.entries(workflows)) {
      for (const call of runs(wf).flatMap(nxCalls)) {
        if (call.project) {
          const node = graph.nodes[call.project];
          const target = node?.data.targets?.[call.targets[0]];
          if (!node)
            missing.push(
              `${file}: project ${call.project} (${call.command})${call.project === 'infra' ? ': infra/project.json does not exist yet' : ''}`,
            );
          else if (!target)
            missing.push(`${file}: target ${call.project}:${call.targets[0]} (${call.command})`);
          else if (call.configuration && !target.configurations?.[call.configuration])
            missing.push(
              `${file}: configuration ${call.project}:${call.targets[0]}:${call.configuration} (${call.command})`,
            );
          else {
            // A run-commands target reads its options as {args.name}: an option it does not read is dropped.
            const command = String(target.options?.command ?? '');
            for (const name of Object.keys(call.args ?? {})) {
              if (!command.includes(`{args.${name}}`))
                missing.push(
                  `${file}: ${call.project}:${call.targets[0]} does not read --${name} (no {args.${name}} in its command)`,
                );
            }
          }
        } else {
          for (const target of call.targets) {
            if (!Object.values(graph.nodes).some((n) => n.data.targets?.[target]))
              missing.push(`${file}: no project has target ${target} (${call.command})`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('every npm script and repository script they call exists', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const missing: string[] = [];
    for (const [file, wf] of Object.entries(workflows)) {
      for (const script of runs(wf)) {
        for (const [, name] of script.matchAll(/\bnpm run ([\w:-]+)/g))
          if (!scripts[name]) missing.push(`${file}: npm run ${name}`);
        for (const [, name] of script.matchAll(/\bnpm (test|start)\b/g))
          if (!scripts[name]) missing.push(`${file}: npm ${name}`);
        for (const [, path] of script.matchAll(/(?:^|\s)((?:\.\/)?(?:tools|\.ci)\/[\w./-]+)/g))
          if (!existsSync(join(root, path))) missing.push(`${file}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('nxCalls (what the workflow checks read from a run script)', () => {
  it('reads targets of affected/run-many and project:target:configuration of run', () => {
    expect(
      nxCalls('npx nx affected -t lint typecheck test build container --base=$NX_BASE --head=$NX_HEAD')[0]
        .targets,
    ).toEqual(['lint', 'typecheck', 'test', 'build', 'container']);
    expect(nxCalls('npx nx run infra:deploy --configuration=dev')[0]).toMatchObject({
      project: 'infra',
      targets: ['deploy'],
      configuration: 'dev',
    });
    expect(
      nxCalls('npx nx run infra:deploy --stage=prod --imageTag=$IMAGE_TAG --outputStyle=static')[0].args,
    ).toEqual({
      stage: 'prod',
      imageTag: '$IMAGE_TAG',
    });
    expect(nxCalls('npx nx run e2e:container-test')[0]).toMatchObject({
      project: 'e2e',
      targets: ['container-test'],
    });
    expect(nxCalls('echo nothing here')).toEqual([]);
  });
});
