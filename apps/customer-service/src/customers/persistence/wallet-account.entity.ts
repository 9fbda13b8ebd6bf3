import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'wallet_accounts' })
@Index('wallet_accounts_counterparty_iban_key', ['counterparty_guid', 'iban'], { unique: true })
@Index('wallet_accounts_customer_idx', ['customer_guid'])
export class WalletAccountEntity {
  @PrimaryColumn('uuid') guid!: string;
  @Column('uuid') customer_guid!: string;
  @Column('uuid') counterparty_guid!: string;
  @Column('varchar', { length: 34, nullable: true }) iban!: string | null;
  @Column('varchar', { length: 12 }) asset_code!: string;
  @Column('varchar', { length: 56 }) asset_issuer!: string;
  @Column('boolean', { default: true }) activated!: boolean;
  @Column('boolean', { default: true }) registered!: boolean;
  @Column('boolean', { default: false }) blocked!: boolean;
  @Column('varchar', { length: 16, default: 'customer' }) type!: string;
  @Column('timestamptz') created_at!: Date;
  @Column('timestamptz') updated_at!: Date;
}
