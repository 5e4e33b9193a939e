/** The simulator's routes: which endpoint a method and path address, as the request log names them. */
import type { RequestKind } from './exchange';

const CREATE_PATH = '/v1/seedance/videos';
const RESULT_PREFIX = '/v1/result/';
const FILE_PATH = /^\/files\/([^/]+)\.(mp4|png)$/;

export interface Route {
  kind: RequestKind;
  taskId?: string;
  /** Set when the path exists but not for this method. */
  allow?: string;
}

/** The reseller API's routes; undefined for paths it does not have. */
export function classifyReseller(method: string, path: string): Route | undefined {
  if (path === CREATE_PATH) return method === 'POST' ? { kind: 'create' } : { kind: 'other', allow: 'POST' };
  if (path.startsWith(RESULT_PREFIX) && path.length > RESULT_PREFIX.length) {
    const taskId = path.slice(RESULT_PREFIX.length);
    if (taskId.includes('/')) return { kind: 'other' };
    return method === 'GET' ? { kind: 'status', taskId } : { kind: 'other', taskId, allow: 'GET' };
  }
  return undefined;
}

/**
 * The file host's routes, shared by both modes: `/files/<task id>.mp4`, and `/files/<task id>.png`
 * (the last frame) when the mode has last frames; undefined for other paths.
 */
export function classifyFile(method: string, path: string, lastFrames: boolean): Route | undefined {
  const file = FILE_PATH.exec(path);
  const taskId = file?.[1];
  if (taskId === undefined || (file?.[2] === 'png' && !lastFrames)) return undefined;
  const kind = file?.[2] === 'png' ? 'lastFrame' : 'video';
  return method === 'GET' || method === 'HEAD' ? { kind, taskId } : { kind: 'other', taskId, allow: 'GET, HEAD' };
}
