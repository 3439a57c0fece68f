/**
 * The native provider's gRPC service (pulumirpc.ResourceProvider), on the generated stubs that ship with
 * `@pulumi/pulumi`. We serve it ourselves rather than through the SDK's `provider.main`, whose server
 * (3.248) drops Configure, fails an import's Read (no properties), answers CheckConfig and DiffConfig
 * "unimplemented" and sends no detailed diff: test/native/sdk-gaps.test.ts pins each of those gaps.
 * Each method converts the request, runs the front (provider.ts) with its log lines attached to the
 * resource, and converts the answer.
 */
import * as grpc from "@grpc/grpc-js";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import type { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provider from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { redact } from "../core/redact";
import { log } from "../resources/providerLog";
import { forResource } from "./logging";
import { fromStruct } from "./properties";
import * as front from "./provider";
import { PACKAGE_VERSION, schemaText } from "./schema";

type Service = typeof ResourceProviderService;
/** The implementation of every method the service declares (grpc-js answers UNIMPLEMENTED for the others). */
type Handlers = grpc.UntypedServiceImplementation;

/** A unary handler: `answer` computes the response; its errors become gRPC errors the CLI shows. */
function unary<Req, Res>(answer: (request: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => answer(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error)),
      );
  };
}

/**
 * A failure as gRPC sends it. One that carries an id and properties (a run recorded in state yet failed)
 * becomes ErrorResourceInitFailed, so the engine records the resource instead of forgetting it.
 */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  const message = redact(error instanceof Error ? error.message : String(error));
  const metadata = new grpc.Metadata();
  const partial = error as { id?: unknown; properties?: Record<string, unknown>; reasons?: string[] };
  if (typeof partial?.id === "string" && partial.properties) {
    const detail = new provider.ErrorResourceInitFailed();
    detail.setId(partial.id);
    detail.setProperties(Struct.fromJavaScript(partial.properties as never));
    detail.setReasonsList((partial.reasons ?? [message]).map(redact));
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

const struct = (bag: Record<string, unknown>) => Struct.fromJavaScript(bag as never);

function failures(list: readonly { property: string; reason: string }[]): provider.CheckFailure[] {
  return list.map((item) => {
    const failure = new provider.CheckFailure();
    failure.setProperty(item.property);
    failure.setReason(redact(item.reason));
    return failure;
  });
}

function checkResponse(result: { inputs: Record<string, unknown>; failures: readonly { property: string; reason: string }[] }) {
  const response = new provider.CheckResponse();
  response.setInputs(struct(result.inputs));
  response.setFailuresList(failures(result.failures));
  return response;
}

const KINDS = {
  add: [provider.PropertyDiff.Kind.ADD, provider.PropertyDiff.Kind.ADD_REPLACE],
  delete: [provider.PropertyDiff.Kind.DELETE, provider.PropertyDiff.Kind.DELETE_REPLACE],
  update: [provider.PropertyDiff.Kind.UPDATE, provider.PropertyDiff.Kind.UPDATE_REPLACE],
} as const;

function diffResponse(result: Awaited<ReturnType<typeof front.diff>>) {
  const response = new provider.DiffResponse();
  response.setChanges(result.changes ? provider.DiffResponse.DiffChanges.DIFF_SOME : provider.DiffResponse.DiffChanges.DIFF_NONE);
  response.setReplacesList(result.replaces);
  response.setDeletebeforereplace(result.deleteBeforeReplace);
  response.setDiffsList(Object.keys(result.detailed));
  response.setHasdetaileddiff(true);
  for (const [key, change] of Object.entries(result.detailed)) {
    const property = new provider.PropertyDiff();
    property.setKind(KINDS[change.kind][change.replace ? 1 : 0]);
    property.setInputdiff(true);
    response.getDetaileddiffMap().set(key, property);
  }
  return response;
}

/** The service's handlers. */
export function handlers(): Handlers {
  // Resource operations in flight: the engine also cancels when an import ends, with nothing left to interrupt.
  let inFlight = 0;
  const operation = async <T>(urn: string, run: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await forResource(urn, run);
    } finally {
      inFlight--;
    }
  };
  const implementation: { [K in keyof Service]?: unknown } = {
    getPluginInfo: unary(() => new PluginInfo().setVersion(PACKAGE_VERSION)),
    getSchema: unary((req: provider.GetSchemaRequest) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      return new provider.GetSchemaResponse().setSchema(schemaText());
    }),
    checkConfig: unary((req: provider.CheckRequest) => checkResponse(front.checkConfig(fromStruct(req.getNews())))),
    diffConfig: unary((req: provider.DiffRequest) => {
      const result = front.diffConfig(fromStruct(req.getOlds()), fromStruct(req.getNews()));
      return diffResponse({ ...result, deleteBeforeReplace: false, detailed: {} });
    }),
    configure: unary((req: provider.ConfigureRequest) => {
      front.configure(fromStruct(req.getArgs()), new Map(req.getVariablesMap().entries()));
      // Secrets come wrapped and go back wrapped; no preview-time create or update (supportsPreview false).
      return new provider.ConfigureResponse().setAcceptsecrets(true).setAcceptresources(false).setSupportspreview(false);
    }),
    check: unary((req: provider.CheckRequest) => {
      const op = { urn: req.getUrn(), type: req.getType() || typeOf(req.getUrn()) };
      return forResource(op.urn, () => front.check(op, fromStruct(req.getOlds()), fromStruct(req.getNews()))).then(checkResponse);
    }),
    diff: unary((req: provider.DiffRequest) => {
      const op = { id: req.getId(), urn: req.getUrn(), type: req.getType() || typeOf(req.getUrn()) };
      return forResource(op.urn, () => front.diff(op, fromStruct(req.getOlds()), fromStruct(req.getNews()))).then(diffResponse);
    }),
    create: unary(async (req: provider.CreateRequest) => {
      const op = { urn: req.getUrn(), type: req.getType() || typeOf(req.getUrn()) };
      const result = await operation(op.urn, () => front.create(op, fromStruct(req.getProperties())));
      return new provider.CreateResponse().setId(result.id).setProperties(struct(result.properties));
    }),
    read: unary(async (req: provider.ReadRequest) => {
      const op = { id: req.getId(), urn: req.getUrn(), type: req.getType() || typeOf(req.getUrn()) };
      const result = await operation(op.urn, () => front.read(op, fromStruct(req.getProperties()), fromStruct(req.getInputs())));
      const response = new provider.ReadResponse().setId(result.id ?? "");
      if (result.properties) response.setProperties(struct(result.properties));
      if (result.inputs) response.setInputs(struct(result.inputs));
      return response;
    }),
    update: unary(async (req: provider.UpdateRequest) => {
      const op = { id: req.getId(), urn: req.getUrn(), type: req.getType() || typeOf(req.getUrn()) };
      const result = await operation(op.urn, () => front.update(op, fromStruct(req.getOlds()), fromStruct(req.getNews())));
      return new provider.UpdateResponse().setProperties(struct(result.properties));
    }),
    delete: unary(async (req: provider.DeleteRequest) => {
      const op = { id: req.getId(), urn: req.getUrn(), type: req.getType() || typeOf(req.getUrn()) };
      await operation(op.urn, () => front.remove(op, fromStruct(req.getProperties())));
      return new Empty();
    }),
    invoke: unary(async (req: provider.InvokeRequest) => {
      const result = await front.invoke(req.getTok(), fromStruct(req.getArgs()));
      return new provider.InvokeResponse().setReturn(struct(result.outputs));
    }),
    cancel: unary(() => {
      // The engine's first Ctrl-C: operations in flight go on (a run being waited for is waited for).
      if (inFlight > 0)
        log(
          "warn",
          "tailer: interrupted (Ctrl-C): waits in progress finish first; a second Ctrl-C stops them, their runs go on in Tailer and the next pulumi up adopts them",
        );
      return new Empty();
    }),
    attach: unary(() => new Empty()),
  };
  return implementation as Handlers;
}

/** The type token in a URN (`urn:pulumi:stack::project::parent$tailer:index:JobRun::name`), for engines that send no type. */
export function typeOf(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}
