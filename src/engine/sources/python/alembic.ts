import type { FileFacts } from '../../facts';
import type { PyContext } from './context';

// PLACEHOLDER: replaced by the extractor's owner.
export function extractAlembic(_ctx: PyContext, _facts: FileFacts): void {}
