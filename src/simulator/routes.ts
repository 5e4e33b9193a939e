/** The simulator's routes: which endpoint a method and path address, as the request log names them. */
import type { RequestKind } from './exchange';

const CREATE_PATH = '/v1/seedance/videos';
const RESULT_PREFIX = '/v1/result/';
const FILE_PATH = /^\/files\/([^/]+)\.mp4$/;

export interface Route {
  kind: RequestKind;
  taskId?: string;
  /** Set when the path exists but not for this method. */
  allow?: string;
}

export function classify(method: string, path: string): Route {
  if (path === CREATE_PATH) return method === 'POST' ? { kind: 'create' } : { kind: 'other', allow: 'POST' };
  if (path.startsWith(RESULT_PREFIX) && path.length > RESULT_PREFIX.length) {
    const taskId = path.slice(RESULT_PREFIX.length);
    if (taskId.includes('/')) return { kind: 'other' };
    return method === 'GET' ? { kind: 'status', taskId } : { kind: 'other', taskId, allow: 'GET' };
  }
  const file = FILE_PATH.exec(path);
  if (file?.[1] !== undefined) {
    const taskId = file[1];
    return method === 'GET' || method === 'HEAD'
      ? { kind: 'video', taskId }
      : { kind: 'other', taskId, allow: 'GET, HEAD' };
  }
  return { kind: 'other' };
}
