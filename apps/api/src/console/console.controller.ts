import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import {
  type ConsoleLoginResponse,
  ConsoleLoginRequestSchema,
  type ConsoleSettings,
  type PrincipalInfo,
} from '@flint/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { Public } from '../auth/route-access';
import { ConsoleLoginLinks } from './console-login';
import { CONSOLE_CONFIG, type ConsoleConfig } from './console.constants';

/** Who the key is, the settings the console links with, and the local stack's login links. */
@Controller('api')
export class ConsoleController {
  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly links: ConsoleLoginLinks,
  ) {}

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): PrincipalInfo {
    return {
      keyId: principal.keyId,
      role: principal.role,
      ...(principal.owner === undefined ? {} : { owner: principal.owner }),
    };
  }

  @Get('console/settings')
  settings(): ConsoleSettings {
    return this.config.settings;
  }

  /** Public: the token is the credential. A token is 256 random bits, so guessing one is hopeless. */
  @Post('console/login')
  @Public()
  @HttpCode(200)
  login(@Body() body: unknown): ConsoleLoginResponse {
    const { token } = parseRequest(ConsoleLoginRequestSchema, body, 'login');
    const key = this.links.redeem(token);
    if (key === undefined) {
      throw new UnauthorizedException({
        error: {
          code: 'login_link_invalid',
          message:
            'this login link was used already or has expired; sign in with an API key, or restart `npm start` for a new link',
        },
      });
    }
    return { key };
  }
}
