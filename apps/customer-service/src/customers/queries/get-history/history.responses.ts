import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { HISTORY_FIELDS } from './history.params';

class HistoryActorResponse {
  @ApiProperty({ example: 'employee-17', description: "The employee who made the change: the token's subject." }) sub!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: "The employee's branch when the token was branch-scoped." })
  branch_guid!: string | null;
}

/** One field an update changed (registered with @ApiExtraModels: `changes` refers to it). */
export class FieldChangeResponse {
  @ApiProperty({ description: 'The value before (null when it had none); money as an exact number.', nullable: true, example: 1 }) from!: unknown;
  @ApiProperty({ description: 'The value after (null when cleared).', nullable: true, example: 2 }) to!: unknown;
}

class OpenedAccountRefResponse {
  @ApiProperty({ format: 'uuid' }) wallet_account_guid!: string;
  @ApiProperty({ example: 'EURC' }) asset_code!: string;
  @ApiProperty({ example: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' }) asset_issuer!: string;
}

/** One event of a customer's history (the `customer.events.v1` event it was projected from). */
export class HistoryEntryResponse {
  @ApiProperty({ example: 2, description: "The customer's version after this event (1 = created)." }) version!: number;
  @ApiProperty({ enum: ['created', 'updated', 'account_opened'], example: 'updated' }) type!: string;
  @ApiProperty({ format: 'uuid', description: "The event's id on the topic (`event_id`, `ce_id`)." }) event_id!: string;
  @ApiProperty({ format: 'date-time', description: 'When the change happened (RFC 3339, UTC).' }) occurred_at!: string;
  @ApiProperty({ type: HistoryActorResponse }) actor!: HistoryActorResponse;
  @ApiProperty({
    type: 'object',
    nullable: true,
    description: `For updates: every field the update changed → {from, to}; null for other types. Fields: ${HISTORY_FIELDS.join(', ')}.`,
    additionalProperties: { $ref: getSchemaPath(FieldChangeResponse) },
    example: { kyc_level: { from: 1, to: 2 }, phone_number: { from: null, to: '+12025550123' } },
  })
  changes!: Record<string, FieldChangeResponse> | null;
  @ApiProperty({ type: OpenedAccountRefResponse, nullable: true, description: 'For account_opened: the account opened; null for other types.' })
  account!: OpenedAccountRefResponse | null;
}

export class HistoryListResponse {
  @ApiProperty({ type: [HistoryEntryResponse] }) history!: HistoryEntryResponse[];
  @ApiProperty({ example: 2, description: 'Every event matching the filters, independent of offset, cursor and limit.' }) total!: number;
  @ApiProperty({ enum: ['eq'], example: 'eq', description: 'Always eq: the total is exact.' }) total_relation!: 'eq';
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null at the end.' }) next_cursor!: string | null;
}
