/**
 * ModelArk's names for Seedance 1.5 Pro, and the reseller's model names as aliases, so one
 * workflow input (`model: 'seedance_1_5_pro_1080p'`) runs on either provider.
 */
import { SeedanceInvalidRequestError } from '../errors';
import { isKnownModel, type SeedanceModel } from '../models';
import type { Resolution } from '../video-request';

/** Seedance 1.5 Pro on BytePlus ModelArk. */
export const MODELARK_MODEL_ID = 'seedance-1-5-pro-251215';
/** Seedance 1.5 Pro on Volcengine Ark (China). */
export const VOLCENGINE_MODEL_ID = 'doubao-seedance-1-5-pro-251215';

/** What ModelArk renders when a request names no resolution (Seedance 1.5 Pro). */
export const DEFAULT_RESOLUTION: Resolution = '720p';

const ALIAS_RESOLUTION: Readonly<Record<SeedanceModel, Resolution>> = {
  seedance_1_5_pro_480p: '480p',
  seedance_1_5_pro_720p: '720p',
  seedance_1_5_pro_1080p: '1080p',
};

export function isResellerModelName(model: string): model is SeedanceModel {
  return isKnownModel(model);
}

/** Volcengine's hosts (`ark.cn-beijing.volces.com`) name the model with a `doubao-` prefix. */
export function modelIdFor(baseUrl: string): string {
  return new URL(baseUrl).hostname.endsWith('volces.com') ? VOLCENGINE_MODEL_ID : MODELARK_MODEL_ID;
}

/**
 * The model and resolution to send: a reseller name becomes the 1.5 Pro id of the base URL's
 * platform plus the resolution it names; any other model passes through unchanged.
 *
 * @throws SeedanceInvalidRequestError when an alias and an explicit `resolution` disagree.
 */
export function resolveModel(
  model: string,
  resolution: Resolution | undefined,
  baseUrl: string,
): { model: string; resolution: Resolution | undefined } {
  if (!isResellerModelName(model)) return { model, resolution };
  const named = ALIAS_RESOLUTION[model];
  if (resolution !== undefined && resolution !== named) {
    throw new SeedanceInvalidRequestError(
      `The create request is invalid for ModelArk: model ${model} means resolution ${named}, but resolution is ${resolution}`,
    );
  }
  return { model: modelIdFor(baseUrl), resolution: named };
}
