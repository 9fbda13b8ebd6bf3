import { Param, PipeTransform } from '@nestjs/common';
import * as rules from '../fields/field-rules';
import { Problem } from '../fields/field-rules';
import { ApiError } from './api-error';

/** A path guid, checked and normalised to lower case before anything compares, stores or publishes it. */
export const GuidParam = (name: string) => Param(name, new GuidPipe(name));

class GuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    const guid = rules.guid(value);
    if (guid instanceof Problem) throw ApiError.badRequest('Request is invalid.', [{ field: this.name, message: guid.message }]);
    return guid;
  }
}
