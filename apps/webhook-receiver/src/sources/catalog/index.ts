import { defineSource } from '../types';
import { catalogPayload } from './payload';
import { catalogProcessor, catalogSettings } from './processor';
import { sample } from './sample';
import { verification } from './verification';

export const catalog = defineSource({
  name: 'catalog',
  summary: 'A catalog batch (-> one CatalogUpdate event per item).',
  verification,
  payload: catalogPayload,
  settings: catalogSettings,
  processor: catalogProcessor,
  sample,
});
