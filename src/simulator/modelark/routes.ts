/** ModelArk's task routes under `/api/v3`, and the list endpoint's query. */
import type { ServiceTier } from '../../seedance/models';
import type { Route } from '../routes';
import type { ModelArkError } from './responses';
import { MODELARK_STATUSES, type ModelArkStatus } from './tasks';

export const API_PREFIX = '/api/v3';
const TASKS_PATH = `${API_PREFIX}/contents/generations/tasks`;

/** The ModelArk routes; undefined for paths it does not have. */
export function classifyModelArk(method: string, path: string): Route | undefined {
  if (path === TASKS_PATH || path === `${TASKS_PATH}/`) {
    if (method === 'POST') return { kind: 'create' };
    if (method === 'GET') return { kind: 'list' };
    return { kind: 'other', allow: 'GET, POST' };
  }
  if (!path.startsWith(`${TASKS_PATH}/`)) return undefined;
  const taskId = decodeSegment(path.slice(TASKS_PATH.length + 1));
  if (taskId === undefined || taskId === '' || taskId.includes('/')) return undefined;
  if (method === 'GET') return { kind: 'status', taskId };
  if (method === 'DELETE') return { kind: 'delete', taskId };
  return { kind: 'other', taskId, allow: 'GET, DELETE' };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Page defaults (undocumented, our choice): page 1 of 10 items, as the SDK leaves both unset.
 * Both are documented as [1, 500].
 */
export const DEFAULT_PAGE_NUM = 1;
export const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE = 500;

export interface ListQuery {
  pageNum: number;
  pageSize: number;
  status: ModelArkStatus | null;
  taskIds: string[];
  /** Matches the model or endpoint id sent at create. */
  model: string | null;
  /** Documented default `default`: an unfiltered list shows only default-tier tasks. */
  serviceTier: ServiceTier;
}

export function parseListQuery(
  query: URLSearchParams,
): { ok: true; query: ListQuery } | { ok: false; error: ModelArkError } {
  const pageNum = pageNumber(query, 'page_num', DEFAULT_PAGE_NUM);
  if (pageNum === undefined) return invalid('page_num', `an integer in [1, ${MAX_PAGE}]`);
  const pageSize = pageNumber(query, 'page_size', DEFAULT_PAGE_SIZE);
  if (pageSize === undefined) return invalid('page_size', `an integer in [1, ${MAX_PAGE}]`);
  const status = query.get('filter.status');
  // The doc's filter list omits `expired` while its status list has it; we accept it.
  if (status !== null && !(MODELARK_STATUSES as readonly string[]).includes(status)) {
    return invalid('filter.status', `one of ${MODELARK_STATUSES.join(', ')}`);
  }
  const tier = query.get('filter.service_tier') ?? 'default';
  if (tier !== 'default' && tier !== 'flex') return invalid('filter.service_tier', 'default or flex');
  return {
    ok: true,
    query: {
      pageNum,
      pageSize,
      status: status as ModelArkStatus | null,
      taskIds: query.getAll('filter.task_ids').filter((id) => id !== ''),
      model: query.get('filter.model') || null,
      serviceTier: tier,
    },
  };
}

function pageNumber(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  return /^\d+$/.test(raw) && value >= 1 && value <= MAX_PAGE ? value : undefined;
}

function invalid(param: string, expected: string): { ok: false; error: ModelArkError } {
  return {
    ok: false,
    error: {
      code: 'InvalidParameter',
      param,
      message: `The parameter \`${param}\` specified in the request is not valid: expected ${expected}.`,
    },
  };
}
