import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../../config/app-config';
import { decodeCursor, encodeCursor, listFingerprint } from '../../../http/list-cursor';
import { readAtVersion } from '../read-your-writes';
import { GetHistoryQuery } from './get-history.query';
import { historyEntryOfRow, HistoryList } from './history-entry';
import { HistoryReadRepository } from './history-read.repository';

/**
 * A customer's history, paged by offset or cursor (keyset on version: a history row never
 * changes, so a walk needs no snapshot and returns every event once). An invisible customer is
 * 404, as on GET one; `min_version` waits as there.
 */
@QueryHandler(GetHistoryQuery)
export class GetHistoryHandler implements IQueryHandler<GetHistoryQuery, HistoryList> {
  constructor(
    private readonly history: HistoryReadRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async execute({ scope, customerGuid, request: { filter, page, minVersion } }: GetHistoryQuery): Promise<HistoryList> {
    const fingerprint = listFingerprint({ list: 'history', scope, customerGuid, ordering: page.ordering, filter });
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, fingerprint);
    await readAtVersion(() => this.history.newestVersion(scope, customerGuid), (newest) => newest, minVersion, this.config.queries.minVersionWaitMs);
    const { rows, total } = await this.history.findPage(scope, customerGuid, filter, { offset: page.offset, limit: page.limit, ordering: page.ordering, after });
    const last = rows.length === page.limit ? rows[rows.length - 1] : undefined;
    return {
      history: rows.map(historyEntryOfRow),
      total,
      total_relation: 'eq',
      next_cursor: last ? encodeCursor({ key: String(last.version), guid: last.event_id }, fingerprint) : null,
    };
  }
}
