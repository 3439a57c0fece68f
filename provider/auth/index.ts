/** Authentication for the Tailer API: token sources, their order, and the per-process token cache. */

export { clearTokenCache, tokensMinted } from "./cache";
export { decodeJwtClaims, isJwtShaped, type JwtClaims } from "./jwt";
export { AUTH_ENV, type AuthOptions, resolveTokenSource } from "./resolve";
export {
  CommandTokenSource,
  IdTokenSource,
  parseServiceAccountKey,
  parseTokenCommandOutput,
  ServiceAccountKey,
  ServiceAccountTokenSource,
  StaticTokenSource,
  type TokenSource,
  type TokenSourceKind,
} from "./sources";
