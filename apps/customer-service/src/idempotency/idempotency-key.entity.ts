import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A completed idempotent request: its fingerprint and the response to replay. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn('uuid') counterparty_guid!: string;
  @PrimaryColumn('varchar', { length: 255 }) key!: string;
  @Column('char', { length: 64 }) fingerprint!: string;
  @Column('integer') response_status!: number;
  @Column('text') response_body!: string;
  @Column('timestamptz', { default: () => 'now()' }) created_at!: Date;
  @Column('timestamptz') expires_at!: Date;
}
