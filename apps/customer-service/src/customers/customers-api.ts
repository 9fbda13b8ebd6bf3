import { applyDecorators, ArgumentsHost, Catch, Controller, ExceptionFilter, HttpStatus, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { sendError } from '../http/error-body.filter';
import { QueryGuard } from '../http/query.decorators';
import { AccountLimitError, CustomerError, CustomerNotFoundError, CustomerRuleError, IbanTakenError, LoginTakenError, VersionMismatchError } from './customer-errors';

/**
 * A controller of the customers module (commands and queries alike): its base path, its
 * OpenAPI tag, its query parameters read against each route's `@AcceptsQuery` (QueryGuard:
 * an undeclared parameter is a 400), and its business errors answered as the API documents them.
 */
export const CustomersController = () =>
  applyDecorators(ApiTags('customers'), Controller('counterparty/:counterparty_guid/customers'), UseGuards(QueryGuard), UseFilters(CustomerErrorFilter));

/** The status, code and message of each business outcome (docs/api.md, Errors). */
export function apiErrorOf(error: CustomerError): ApiError {
  if (error instanceof CustomerNotFoundError) return new ApiError(HttpStatus.NOT_FOUND, 'CUSTOMER_NOT_FOUND', error.message);
  if (error instanceof VersionMismatchError) return new ApiError(HttpStatus.PRECONDITION_FAILED, 'VERSION_MISMATCH', error.message);
  if (error instanceof LoginTakenError) return new ApiError(HttpStatus.CONFLICT, 'LOGIN_TAKEN', error.message, [{ field: 'login', message: 'is taken' }]);
  if (error instanceof IbanTakenError) return new ApiError(HttpStatus.CONFLICT, 'IBAN_TAKEN', error.message, [{ field: 'iban', message: 'is taken' }]);
  if (error instanceof AccountLimitError) return new ApiError(HttpStatus.CONFLICT, 'ACCOUNT_LIMIT_REACHED', error.message, [{ field: 'accounts', message: `at most ${error.limit} per customer` }]);
  const field = error instanceof CustomerRuleError ? error.field : 'body';
  return ApiError.badRequest('Request is invalid.', [{ field, message: error.message }]);
}

@Catch(CustomerError)
export class CustomerErrorFilter implements ExceptionFilter {
  catch(error: CustomerError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(apiErrorOf(error), http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
