/** Business outcomes a client can act on; the error filter maps each to a status and code. */
export abstract class CustomerError extends Error {}

export class CustomerNotFoundError extends CustomerError {
  constructor() {
    super('Customer not found.');
  }
}

/** The client's `If-Match` names a version that is no longer current. */
export class VersionMismatchError extends CustomerError {
  constructor(readonly currentVersion: number) {
    super(`The customer has changed (current version ${currentVersion}); fetch it and retry.`);
  }
}

/** The change would break an invariant of the customer as a whole. */
export class CustomerRuleError extends CustomerError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class LoginTakenError extends CustomerError {
  constructor() {
    super('Another customer of this counterparty already has this login.');
  }
}

export class IbanTakenError extends CustomerError {
  constructor() {
    super('Another wallet account of this counterparty already has this IBAN.');
  }
}

/** The customer already has as many wallet accounts as MAX_ACCOUNTS_PER_CUSTOMER allows. */
export class AccountLimitError extends CustomerError {
  constructor(readonly limit: number) {
    super(`The customer already has the maximum of ${limit} wallet accounts.`);
  }
}
