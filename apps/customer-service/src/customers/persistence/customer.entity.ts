import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'customers' })
@Index('customers_counterparty_login_key', { synchronize: false })
export class CustomerEntity {
  @PrimaryColumn('uuid') guid!: string;
  @Column('uuid') counterparty_guid!: string;
  @Column('varchar', { length: 255, nullable: true }) login!: string | null;
  @Column('varchar', { length: 255, nullable: true }) name!: string | null;
  @Column('varchar', { length: 255, nullable: true }) surname!: string | null;
  @Column('varchar', { length: 255, nullable: true }) paternal_name!: string | null;
  @Column('varchar', { length: 20, nullable: true }) phone_number!: string | null;
  @Column('integer', { default: 0 }) kyc_level!: number;
  @Column('boolean', { default: false }) is_disabled!: boolean;
  /** numeric(16,7): read and written as a decimal string, never a float. */
  @Column('numeric', { precision: 16, scale: 7, default: 0 }) balance_allowed!: string;
  @Column('varchar', { length: 12, nullable: true }) balance_asset_code!: string | null;
  @Column('varchar', { length: 56, nullable: true }) balance_asset_issuer!: string | null;
  @Column('uuid', { nullable: true }) branch_guid!: string | null;
  @Column('varchar', { length: 2, nullable: true }) segment!: string | null;
  @Column('varchar', { length: 64, nullable: true }) status!: string | null;
  @Column('integer') version!: number;
  @Column('timestamptz') created_at!: Date;
  @Column('timestamptz') updated_at!: Date;
}
