import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const OPEN_API_PATH = 'docs';

/** OpenAPI generated from the controllers and DTOs, served at `/docs` (JSON at `/docs-json`). */
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
  SwaggerModule.setup(OPEN_API_PATH, app, () => SwaggerModule.createDocument(app, document), {
    jsonDocumentUrl: `${OPEN_API_PATH}-json`,
  });
}
