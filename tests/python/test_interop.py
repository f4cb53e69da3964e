"""Interoperability: the green-impact server as a grpcio (Python) client sees it.

Run by tests/python/run.sh, which compiles proto/ with grpc_tools.protoc into a directory on
PYTHONPATH, starts `green-impact serve --addr 127.0.0.1:0` and passes its address in
GREEN_IMPACT_ADDR. Only standard grpcio packages are used, so this checks the wire format,
the standard services (health, reflection) and the error details as any other client sees
them, not as tonic's own client does.

Exit status: 0 only when every test passed and at least one ran.
"""

import copy
import os
import sys
import unittest

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format
from google.rpc import code_pb2, error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2 as reflection_messages
from grpc_status import rpc_status

from greenimpact.v1 import (
    assessment_pb2,
    impact_service_pb2_grpc,
    portfolio_pb2,
    records_pb2,
    seal_pb2,
)

SERVICE = "greenimpact.v1.ImpactService"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED_PATH = os.path.join(REPO, "examples", "leshan-yaqing.json")
# Every call has a deadline, so a server that stops answering fails the test, not the run.
DEADLINE_S = 30
BATCH_DEADLINE_S = 120
BATCH_SIZE = 50

# grpcio-reflection ships the v1alpha messages only. v1 has the very same messages (same
# fields, same numbers) under the package grpc.reflection.v1, so the v1 method is called by
# its path with those message classes.
REFLECTION_V1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
REFLECTION_V1ALPHA = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"


def seed_request():
    """examples/leshan-yaqing.json, parsed as any proto3 JSON client would."""
    with open(SEED_PATH, encoding="utf-8") as f:
        return json_format.Parse(f.read(), assessment_pb2.AssessRequest())


class Interop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        addr = os.environ.get("GREEN_IMPACT_ADDR")
        if not addr:
            raise RuntimeError("GREEN_IMPACT_ADDR is not set: run tests/python/run.sh")
        cls.channel = grpc.insecure_channel(addr)
        grpc.channel_ready_future(cls.channel).result(timeout=DEADLINE_S)
        cls.stub = impact_service_pb2_grpc.ImpactServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    # ----------------------------------------------------------------------------------------
    # (a) grpc.health.v1

    def test_health_reports_serving_for_the_server_and_the_service(self):
        health = health_pb2_grpc.HealthStub(self.channel)
        for service in ("", SERVICE):
            with self.subTest(service=service):
                reply = health.Check(
                    health_pb2.HealthCheckRequest(service=service), timeout=DEADLINE_S
                )
                self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING)

    def test_health_of_an_unknown_service_is_not_found(self):
        health = health_pb2_grpc.HealthStub(self.channel)
        with self.assertRaises(grpc.RpcError) as caught:
            health.Check(
                health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=DEADLINE_S
            )
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    # ----------------------------------------------------------------------------------------
    # (b) server reflection

    def reflect(self, path, requests):
        call = self.channel.stream_stream(
            path,
            request_serializer=reflection_messages.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_messages.ServerReflectionResponse.FromString,
        )
        return list(call(iter(requests), timeout=DEADLINE_S))

    def check_reflection(self, path):
        listed, by_symbol = self.reflect(
            path,
            [
                reflection_messages.ServerReflectionRequest(list_services=""),
                reflection_messages.ServerReflectionRequest(file_containing_symbol=SERVICE),
            ],
        )
        names = {s.name for s in listed.list_services_response.service}
        self.assertIn(SERVICE, names)
        self.assertIn("grpc.health.v1.Health", names)

        self.assertTrue(
            by_symbol.HasField("file_descriptor_response"),
            f"no file descriptor for {SERVICE}: {by_symbol}",
        )
        files = [
            descriptor_pb2.FileDescriptorProto.FromString(raw)
            for raw in by_symbol.file_descriptor_response.file_descriptor_proto
        ]
        by_name = {f.name: f for f in files}
        self.assertIn("greenimpact/v1/impact_service.proto", by_name)
        service_file = by_name["greenimpact/v1/impact_service.proto"]
        self.assertEqual(service_file.package, "greenimpact.v1")
        self.assertIn("ImpactService", [s.name for s in service_file.service])

        # Every import the service's file needs is served too (in this reply or by name), and
        # the files build a descriptor pool in which the service and its methods resolve.
        queue = [d for f in files for d in f.dependency]
        while queue:
            dep = queue.pop()
            if dep in by_name:
                continue
            (reply,) = self.reflect(
                path, [reflection_messages.ServerReflectionRequest(file_by_filename=dep)]
            )
            self.assertTrue(
                reply.HasField("file_descriptor_response"), f"file_by_filename {dep!r}: {reply}"
            )
            for raw in reply.file_descriptor_response.file_descriptor_proto:
                extra = descriptor_pb2.FileDescriptorProto.FromString(raw)
                by_name.setdefault(extra.name, extra)
                queue.extend(extra.dependency)
            self.assertIn(dep, by_name, f"file_by_filename {dep!r} did not serve it")
        pool = descriptor_pool.DescriptorPool()
        added = set()

        def add(name):
            if name not in added:
                for dep in by_name[name].dependency:
                    add(dep)
                pool.Add(by_name[name])
                added.add(name)

        add("greenimpact/v1/impact_service.proto")
        service = pool.FindServiceByName(SERVICE)
        methods = {m.name: m for m in service.methods}
        self.assertIn("Assess", methods)
        self.assertEqual(methods["Assess"].input_type.full_name, "greenimpact.v1.AssessRequest")
        self.assertIn("AssessBatch", methods)
        batch = methods["AssessBatch"]
        self.assertTrue(batch.client_streaming and batch.server_streaming)
        self.assertEqual(batch.input_type.full_name, "greenimpact.v1.AssessBatchItem")

    def test_reflection_v1_lists_the_service_and_serves_its_descriptor(self):
        self.check_reflection(REFLECTION_V1)

    def test_reflection_v1alpha_lists_the_service_and_serves_its_descriptor(self):
        self.check_reflection(REFLECTION_V1ALPHA)

    # ----------------------------------------------------------------------------------------
    # (c) Assess: the seed case

    def test_assess_the_seed_request_gives_the_readme_figures_and_a_record(self):
        request = seed_request()
        self.assertFalse(request.dry_run)
        # FULL: the schedule rows are read below; the default view (BASIC) leaves them out.
        request.view = assessment_pb2.ASSESSMENT_VIEW_FULL
        response = self.stub.Assess(request, timeout=DEADLINE_S)

        self.assertEqual(response.methodology_version, "green-impact/1.3.0")
        self.assertEqual(response.factor_set, "ipcc2019-cn/2026.1")
        self.assertEqual(response.currency_code, "CNY")

        c2r = response.cost_to_revenue
        self.assertEqual(c2r.manure_fresh_t_per_year.value, "32850")
        self.assertEqual(c2r.baseline_treatment_cost_cny_per_year.value, "1314000.00")
        self.assertEqual(c2r.fertilizer_income_cny_per_year.value, "2847000.00")
        self.assertEqual(c2r.income_to_baseline_cost_ratio.value, "2.1667")
        self.assertEqual(c2r.product_yield_t_per_t_fresh_manure.value, "0.3333")
        per_tonne = {(p.item, p.kind, p.basis): p.cny_per_t.value for p in c2r.per_tonne}
        fresh = assessment_pb2.TONNE_BASIS_FRESH_MANURE
        self.assertEqual(
            per_tonne[
                (
                    assessment_pb2.PER_TONNE_ITEM_FERTILIZER_INCOME,
                    assessment_pb2.PER_TONNE_KIND_UNIT_MARGIN,
                    fresh,
                )
            ],
            "86.67",
        )
        self.assertEqual(
            per_tonne[
                (
                    assessment_pb2.PER_TONNE_ITEM_SWING_FROM_BASELINE,
                    assessment_pb2.PER_TONNE_KIND_UNIT_SWING,
                    fresh,
                )
            ],
            "126.67",
        )

        loan = response.loan
        self.assertEqual(loan.period_count, 36)
        self.assertEqual(len(loan.periods), 36)
        self.assertEqual(loan.periods[0].instalment_cny.value, "111263.80")
        self.assertEqual(loan.periods[0].due_date, "2025-07-21")
        self.assertEqual(loan.periods[-1].instalment_cny.value, "111263.63")
        self.assertEqual(loan.total_interest_cny.value, "205496.63")
        self.assertEqual(loan.total_principal_cny.value, "3800000.00")

        self.assertEqual(response.debt_service_cover.min_dscr.value, "3.1165")
        self.assertEqual(
            response.carbon.reduction.total_tco2e_per_year.central.value, "973.823"
        )
        self.assertEqual(response.carbon.reduction.total_tco2e_per_year.low.value, "776.980")
        self.assertEqual(response.carbon.reduction.total_tco2e_per_year.high.value, "1173.985")

        # Stored: the seal is there and names this assessment.
        self.assertTrue(response.HasField("record"), "a stored Assess carries its seal")
        seal = response.record
        self.assertRegex(seal.record_id, r"^rec_[0-9a-f]{32}$")
        self.assertEqual(seal.kind, seal_pb2.RECORD_KIND_ASSESSMENT)
        self.assertEqual(seal.tenant, "local")
        self.assertGreaterEqual(seal.sequence, 1)
        self.assertEqual(seal.methodology_version, "green-impact/1.3.0")
        self.assertEqual(seal.borrower_id, request.borrower_id)
        self.assertRegex(seal.digest_sha256, r"^[0-9a-f]{64}$")
        self.assertRegex(seal.signature_ed25519, r"^[0-9a-f]{128}$")

        # The stored record is readable back, and verifies.
        stored = self.stub.GetAssessment(
            records_pb2.GetAssessmentRequest(record_id=seal.record_id), timeout=DEADLINE_S
        )
        self.assertEqual(stored.seal.digest_sha256, seal.digest_sha256)
        verified = self.stub.VerifyAssessment(
            records_pb2.VerifyAssessmentRequest(record_id=seal.record_id), timeout=DEADLINE_S
        )
        self.assertTrue(verified.verified, [(c.name, c.detail) for c in verified.checks])

    def test_assess_dry_run_stores_nothing(self):
        request = seed_request()
        request.dry_run = True
        response = self.stub.Assess(request, timeout=DEADLINE_S)
        self.assertFalse(response.HasField("record"))
        self.assertEqual(response.loan.total_interest_cny.value, "205496.63")
        # The default view is BASIC: the schedule is summarised, its rows are left out.
        self.assertEqual(response.loan.period_count, 36)
        self.assertEqual(len(response.loan.periods), 0)

    # ----------------------------------------------------------------------------------------
    # (d) AssessBatch: a bidirectional stream

    def count_records(self):
        count, token = 0, ""
        while True:
            page = self.stub.ListAssessments(
                records_pb2.ListAssessmentsRequest(page_size=200, page_token=token),
                timeout=DEADLINE_S,
            )
            count += len(page.records)
            token = page.next_page_token
            if not token:
                return count

    def test_assess_batch_answers_every_key_once_with_per_item_errors(self):
        seed = seed_request()
        items = []
        broken, basic = set(), set()
        for i in range(BATCH_SIZE):
            request = copy.deepcopy(seed)
            request.dry_run = True
            request.project_id = f"batch-project-{i}"
            key = f"k{i}"
            if i % 10 == 0:
                request.loan.term_months = 0
                broken.add(key)
            # Every third item in the default view (BASIC), the others FULL.
            if i % 3 == 1:
                basic.add(key)
            else:
                request.view = assessment_pb2.ASSESSMENT_VIEW_FULL
            items.append(portfolio_pb2.AssessBatchItem(key=key, request=request))
        before = self.count_records()

        results = list(self.stub.AssessBatch(iter(items), timeout=BATCH_DEADLINE_S))

        keys = [r.key for r in results]
        self.assertEqual(len(keys), BATCH_SIZE, f"{len(keys)} results for {BATCH_SIZE} items")
        self.assertEqual(sorted(keys), sorted(f"k{i}" for i in range(BATCH_SIZE)))
        for result in results:
            i = int(result.key[1:])
            with self.subTest(key=result.key):
                if result.key in broken:
                    self.assertEqual(result.WhichOneof("outcome"), "error")
                    self.assertEqual(result.error.code, code_pb2.INVALID_ARGUMENT)
                    self.assertEqual(result.error.code, 3)
                    self.assertTrue(result.error.message)
                    fields = [v.field for v in result.error.field_violations]
                    self.assertEqual(fields, ["loan.term_months"])
                    self.assertTrue(result.error.field_violations[0].description)
                    continue
                self.assertEqual(result.WhichOneof("outcome"), "response")
                response = result.response
                self.assertEqual(response.project_id, f"batch-project-{i}")
                self.assertFalse(response.HasField("record"), "dry_run: no record")
                self.assertEqual(response.loan.period_count, 36)
                self.assertEqual(response.loan.total_interest_cny.value, "205496.63")
                self.assertEqual(
                    response.carbon.reduction.total_tco2e_per_year.central.value, "973.823"
                )
                if result.key in basic:
                    self.assertEqual(len(response.loan.periods), 0)
                    self.assertEqual(len(response.carbon.trace), 0)
                    self.assertEqual(len(response.carbon.factors_used), 0)
                else:
                    self.assertEqual(len(response.loan.periods), 36)
                    self.assertEqual(response.loan.periods[0].instalment_cny.value, "111263.80")
                    self.assertGreater(len(response.carbon.trace), 0)
                    self.assertTrue(all(step.template for step in response.carbon.trace))
                    self.assertGreater(len(response.carbon.factors_used), 0)

        self.assertEqual(self.count_records(), before, "a dry-run batch stores nothing")

    # ----------------------------------------------------------------------------------------
    # (e) INVALID_ARGUMENT with google.rpc.BadRequest in grpc-status-details-bin

    def test_invalid_argument_carries_bad_request_details(self):
        request = seed_request()
        request.dry_run = True
        request.loan.term_months = 0
        request.operations.manure_dry_matter_fraction.value = "1.5"
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.Assess(request, timeout=DEADLINE_S)
        error = caught.exception
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT)

        trailers = dict(error.trailing_metadata() or ())
        self.assertIn("grpc-status-details-bin", trailers)

        status = rpc_status.from_call(error)
        self.assertIsNotNone(status, "grpc-status-details-bin decodes to google.rpc.Status")
        self.assertEqual(status.code, code_pb2.INVALID_ARGUMENT)
        self.assertEqual(status.message, error.details())
        bad_requests = []
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                detail.Unpack(bad_request)
                bad_requests.append(bad_request)
        self.assertEqual(len(bad_requests), 1, [d.type_url for d in status.details])
        violations = {v.field: v.description for v in bad_requests[0].field_violations}
        self.assertEqual(
            set(violations),
            {"loan.term_months", "operations.manure_dry_matter_fraction"},
        )
        self.assertIn("got 0", violations["loan.term_months"])
        self.assertIn("got 1.5", violations["operations.manure_dry_matter_fraction"])

    # ----------------------------------------------------------------------------------------
    # (f) A message over the 256 KiB limit: RESOURCE_EXHAUSTED, the code grpcio's own servers
    # give, and the server goes on answering.

    def test_a_message_over_the_size_limit_is_resource_exhausted(self):
        request = seed_request()
        request.dry_run = True
        request.stated_assumptions.extend(["x" * 512] * 600)
        self.assertGreater(request.ByteSize(), 256 * 1024)
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.Assess(request, timeout=DEADLINE_S)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("over the limit of 262144 bytes", caught.exception.details())

        small = seed_request()
        small.dry_run = True
        self.stub.Assess(small, timeout=DEADLINE_S)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Interop)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"python-interop: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    if result.testsRun == 0 or passed == 0:
        print("python-interop: no test ran", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
