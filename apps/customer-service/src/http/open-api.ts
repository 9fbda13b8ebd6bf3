import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ManagementServer } from '../management/management.server';

/**
 * OpenAPI generated from the API's controllers and DTOs, served by the management listener at
 * `/docs` (JSON at `/docs-json`): documentation of the API, not part of it.
 */
export function setUpOpenApi(app: NestFastifyApplication): void {
  const document = new DocumentBuilder()
    .setTitle('Customer service')
    .setDescription(
      'Customers and their Stellar wallet accounts for one counterparty (bank). Every change is published to Kafka (see docs/asyncapi.yaml).',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    .build();
  app.get(ManagementServer).serveOpenApi(() => SwaggerModule.createDocument(app, document));
}
