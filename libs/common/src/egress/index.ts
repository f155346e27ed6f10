export * from './egress-fetch';
export * from './egress-policy';
