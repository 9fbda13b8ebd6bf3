import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Debezium's outbox column names, plus a commit-order-independent sequence and publish time. */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', { synchronize: false })
export class OutboxEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', unique: true }) seq!: string;
  @Column('varchar', { length: 64 }) aggregatetype!: string;
  @Column('varchar', { length: 64 }) aggregateid!: string;
  @Column('varchar', { length: 128 }) type!: string;
  @Column('jsonb') payload!: unknown;
  /** Transport headers to carry through (e.g. W3C traceparent). */
  @Column('jsonb', { default: {} }) headers!: Record<string, string>;
  @Column('timestamptz', { default: () => 'now()' }) created_at!: Date;
  @Column('timestamptz', { nullable: true }) published_at!: Date | null;
}
