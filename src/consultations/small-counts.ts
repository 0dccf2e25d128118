// The rule lives in src/common/small-counts.ts, shared by every view a trade union rep sees.
export * from '../common/small-counts';
