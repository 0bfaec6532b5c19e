import { defineSource } from '../types';
import { reviewPayload } from './payload';
import { reviewProcessor } from './processor';
import { sample } from './sample';
import { verification } from './verification';

export const reviews = defineSource({
  name: 'reviews',
  summary: 'A customer review (-> ReviewSubmitted).',
  verification,
  payload: reviewPayload,
  settings: {},
  processor: reviewProcessor,
  sample,
});
