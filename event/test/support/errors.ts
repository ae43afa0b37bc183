import { ConnectorError } from '../../src/errors';

/** The ConnectorError `work` throws; anything else it throws, or nothing at all, fails the test. */
export function thrownBy(work: () => unknown): ConnectorError {
  try {
    work();
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError');
}

/** The ConnectorError `work` rejects with; any other rejection, or none, fails the test. */
export async function rejectionOf(work: Promise<unknown>): Promise<ConnectorError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a rejection with a ConnectorError');
}
