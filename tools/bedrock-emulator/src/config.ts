import { z } from 'zod';
import { env, loadConfig } from '@manga-assist/service-runtime';
import { faultsFromEnv, FaultInputError, mergeFaults, NO_FAULTS, type Faults } from './faults';
import { PROFILES, type ProfileName } from './models';

const schema = z.object({
  BEDROCK_EMULATOR_PORT: env.port(4010),
  BEDROCK_EMULATOR_HOST: env.string('127.0.0.1'),
  BEDROCK_EMULATOR_PROFILE: z.enum(PROFILES as [ProfileName, ...ProfileName[]]).default('demo'),
  BEDROCK_EMULATOR_TIME_SCALE: env.number(1, { min: 0 }),
  BEDROCK_EMULATOR_SEED: env.int(42),
  LOG_LEVEL: env.logLevel(),
});

export interface EmulatorCliConfig {
  port: number;
  host: string;
  profile: ProfileName;
  timeScale: number;
  seed: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  faults: Faults;
}

/** CLI configuration from the environment; fault variables are BEDROCK_EMULATOR_FAULT_*. */
export function loadEmulatorConfig(source: NodeJS.ProcessEnv = process.env): EmulatorCliConfig {
  // Short names (PROFILE, TIME_SCALE, as docker-compose sets them) are accepted as fallbacks.
  const c = loadConfig('bedrock-emulator', schema, {
    ...source,
    BEDROCK_EMULATOR_PROFILE: source.BEDROCK_EMULATOR_PROFILE ?? source.PROFILE,
    BEDROCK_EMULATOR_TIME_SCALE: source.BEDROCK_EMULATOR_TIME_SCALE ?? source.TIME_SCALE,
  });
  let faults: Faults;
  try {
    faults = mergeFaults(NO_FAULTS, faultsFromEnv(source));
  } catch (error) {
    if (error instanceof FaultInputError || error instanceof SyntaxError) {
      throw new FaultInputError(
        `bedrock-emulator: invalid BEDROCK_EMULATOR_FAULT_* variable: ${error.message}`,
      );
    }
    throw error;
  }
  return {
    port: c.BEDROCK_EMULATOR_PORT,
    host: c.BEDROCK_EMULATOR_HOST,
    profile: c.BEDROCK_EMULATOR_PROFILE,
    timeScale: c.BEDROCK_EMULATOR_TIME_SCALE,
    seed: c.BEDROCK_EMULATOR_SEED,
    logLevel: c.LOG_LEVEL,
    faults,
  };
}
