import { Query } from '@nestjs/cqrs';
import { AccessScope } from '../../../auth/access';
import { HistoryList } from './history-entry';
import { HistoryRequest } from './history.params';

/** A page of one customer's history; with `minVersion`, waits (bounded) until the history holds it. */
export class GetHistoryQuery extends Query<HistoryList> {
  constructor(
    readonly scope: AccessScope,
    readonly customerGuid: string,
    readonly request: HistoryRequest,
  ) {
    super();
  }
}
