import { All, Body, Controller, Get, Headers, HttpCode, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DevLmsError, DevLmsServices, SCOPES } from './dev-lms-services';
import { gradebookPage } from './dev-platform-pages';

const AGS_WRITE = [SCOPES.lineItem];
const AGS_READ = [SCOPES.lineItem, SCOPES.lineItemReadonly];

/** The dev LMS's LTI Advantage endpoints (token, NRPS, AGS) and its gradebook page. Development only. */
@Controller('dev-platform')
export class DevLmsServicesController {
  constructor(private readonly lms: DevLmsServices) {}

  private async answer(
    res: Response,
    fn: () => Promise<{ status?: number; type?: string; body?: unknown; link?: string } | void>,
  ) {
    try {
      const out = (await fn()) ?? {};
      if (out.link) res.setHeader('Link', out.link);
      res.status(out.status ?? (out.body === undefined ? 204 : 200));
      if (out.type) res.type(out.type);
      if (out.body === undefined) res.end();
      else res.send(typeof out.body === 'string' ? out.body : JSON.stringify(out.body));
    } catch (e) {
      if (e instanceof DevLmsError) {
        if (e.status === 401) res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
        res.status(e.status).type('application/json').send(JSON.stringify(e.body));
        return;
      }
      throw e;
    }
  }

  @Post('token')
  token(@Body() body: Record<string, unknown>, @Res() res: Response) {
    return this.answer(res, async () => ({ type: 'application/json', body: await this.lms.issueToken(body ?? {}) }));
  }

  @Get('api/:course/memberships')
  memberships(
    @Param('course') course: string,
    @Query() q: Record<string, string>,
    @Headers('authorization') auth: string,
    @Res() res: Response,
  ) {
    return this.answer(res, async () => {
      if ((await this.lms.checkFault('nrps')) === 'malformed')
        return { type: 'application/json', body: '{"members": [' };
      await this.lms.authorize(auth, SCOPES.nrps);
      const { body, next } = this.lms.memberships(course, Number(q.limit), Number(q.page));
      return {
        type: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
        body,
        link: next ? `<${next}>; rel="next"` : undefined,
      };
    });
  }

  @Get('api/:course/lineitems')
  lineItems(
    @Param('course') course: string,
    @Query() q: Record<string, string>,
    @Headers('authorization') auth: string,
    @Res() res: Response,
  ) {
    return this.answer(res, async () => {
      if ((await this.lms.requireAgsUp()) === 'malformed') return { type: 'application/json', body: '[{"id": ' };
      await this.lms.authorize(auth, AGS_READ);
      const items = await this.lms.listLineItems(course, {
        resourceLinkId: q.resource_link_id,
        resourceId: q.resource_id,
        tag: q.tag,
      });
      return {
        type: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
        body: items.map((li) => this.lms.lineItemJson(li)),
      };
    });
  }

  @Post('api/:course/lineitems')
  createLineItem(
    @Param('course') course: string,
    @Body() body: Record<string, unknown>,
    @Headers('authorization') auth: string,
    @Res() res: Response,
  ) {
    return this.answer(res, async () => {
      await this.lms.requireAgsUp();
      await this.lms.authorize(auth, AGS_WRITE);
      const li = await this.lms.createLineItem(course, body ?? {});
      return { status: 201, type: 'application/vnd.ims.lis.v2.lineitem+json', body: this.lms.lineItemJson(li) };
    });
  }

  @Get('api/:course/lineitems/:id')
  lineItem(
    @Param('course') course: string,
    @Param('id', ParseIntPipe) id: number,
    @Headers('authorization') auth: string,
    @Res() res: Response,
  ) {
    return this.answer(res, async () => {
      await this.lms.requireAgsUp();
      await this.lms.authorize(auth, AGS_READ);
      return {
        type: 'application/vnd.ims.lis.v2.lineitem+json',
        body: this.lms.lineItemJson(await this.lms.lineItem(course, id)),
      };
    });
  }

  @Post('api/:course/lineitems/:id/scores')
  score(
    @Param('course') course: string,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Headers('authorization') auth: string,
    @Res() res: Response,
  ) {
    return this.answer(res, async () => {
      await this.lms.requireAgsUp();
      await this.lms.authorize(auth, SCOPES.score);
      await this.lms.postScore(course, id, body ?? {});
    });
  }

  @Get('gradebook')
  async gradebook(@Query('course') course: string, @Res() res: Response) {
    const c = this.lms.course(course || 'phys-101');
    const { items, scores } = await this.lms.gradebook(c.id);
    res.type('html').send(gradebookPage(c, items, scores, await this.lms.agsDown()));
  }

  @Post('gradebook/ags')
  @HttpCode(303)
  async setAgs(@Body() body: { down?: string; course?: string }, @Res() res: Response) {
    await this.lms.setAgsDown(body?.down === '1');
    res.redirect(303, `${this.lms.issuer}/gradebook?course=${encodeURIComponent(body?.course ?? 'phys-101')}`);
  }

  @All('gradebook/revoke-tokens')
  async revoke(@Res() res: Response) {
    res.json({ revoked: await this.lms.revokeTokens() });
  }
}
