import { Module } from '@nestjs/common';
import { RetentionJob } from './retention.job';

/** Deletes rows past their retention from the tables of this process's roles (api, projector). */
@Module({ providers: [RetentionJob] })
export class RetentionModule {}
