// What etcd3 gets in the bundle in place of @grpc/proto-loader: its gRPC service definitions, from
// rpc.proto as parsed at build time (etcd3-proto-plugin.js). Unlike proto-loader this makes no
// definitions of the messages and no encoded file descriptors (~20 ms of every run; only gRPC
// reflection reads them); requests and responses are encoded and decoded by the same protobufjs
// calls, with etcd3's options.
'use strict';
const protobuf = require('protobufjs');

/**
 * `prebuilt`: { descriptor: protobufjs JSON of rpc.proto, methods: { service: [[name, path,
 * requestStream, responseStream, originalName], ...] } }, the method facts as proto-loader made
 * them at build time. Returns grpc-js's package definition: services only.
 */
exports.serviceDefinitions = function serviceDefinitions(prebuilt, options) {
  const root = protobuf.Root.fromJSON(prebuilt.descriptor);
  root.resolveAll();
  const definition = {};
  for (const [serviceName, methods] of Object.entries(prebuilt.methods)) {
    const service = root.lookupService(serviceName);
    const methodDefinitions = {};
    for (const [name, path, requestStream, responseStream, originalName] of methods) {
      const method = service.methods[name];
      const request = method.resolvedRequestType;
      const response = method.resolvedResponseType;
      methodDefinitions[name] = {
        path,
        requestStream,
        responseStream,
        requestSerialize: serializer(request),
        requestDeserialize: deserializer(request, options),
        responseSerialize: serializer(response),
        responseDeserialize: deserializer(response, options),
        originalName,
      };
    }
    definition[serviceName] = methodDefinitions;
  }
  return definition;
};

function serializer(type) {
  return (value) => {
    if (Array.isArray(value)) throw new Error(`Failed to serialize message: expected object with ${type.name} structure, got array instead`);
    return type.encode(type.fromObject(value)).finish();
  };
}

function deserializer(type, options) {
  return (bytes) => type.toObject(type.decode(bytes), options);
}
