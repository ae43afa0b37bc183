/** The deployment's commercetools Subscription: what it subscribes to, where, and keeping it so. */
export * from './api';
export * from './destination';
export * from './plan';
export * from './topics';
