// ltijs ships no type declarations; these cover the parts Lectern uses.
declare module 'ltijs' {
  import type { Express, Request, Response, NextFunction } from 'express';
  export interface LtijsPlatform {
    platformKid(): Promise<string>;
    platformName(): Promise<string>;
    platformActive(active?: boolean): Promise<boolean>;
  }
  export interface LtijsToken {
    iss: string;
    user: string;
    clientId: string;
    platformId: string;
    deploymentId: string;
    platformContext: Record<string, unknown>;
  }
  type Handler = (req: Request, res: Response, next?: NextFunction) => unknown;
  export interface LtijsProvider {
    app: Express;
    setup(key: string, database: { plugin: unknown }, options: Record<string, unknown>): LtijsProvider;
    deploy(options: { serverless?: boolean; silent?: boolean }): Promise<boolean>;
    onConnect(cb: (token: LtijsToken, req: Request, res: Response, next: NextFunction) => unknown): void;
    onDeepLinking(cb: (token: LtijsToken, req: Request, res: Response, next: NextFunction) => unknown): void;
    onInvalidToken(cb: Handler): void;
    onUnregisteredPlatform(cb: Handler): void;
    onInactivePlatform(cb: Handler): void;
    onSessionTimeout(cb: Handler): void;
    registerPlatform(platform: Record<string, unknown>): Promise<LtijsPlatform>;
    getPlatform(url: string, clientId?: string): Promise<LtijsPlatform | false>;
  }
  export const Provider: LtijsProvider;
}
