"""A Python grpc.aio server that computes nothing: it answers every
greenimpact.v1.ImpactService/Assess call with the same canned bytes (a dry run's answer).
The reference issue 21 sets the stored path against. Usage: server.py PORT ANSWER_FILE"""
import asyncio
import sys

import grpc


async def main(port: str, answer_path: str) -> None:
    answer = open(answer_path, "rb").read()

    async def assess(_request: bytes, _context) -> bytes:
        return answer

    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "greenimpact.v1.ImpactService",
        {
            "Assess": grpc.unary_unary_rpc_method_handler(
                assess,
                request_deserializer=lambda b: b,
                response_serializer=lambda b: b,
            )
        },
    )
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
