"""The EventBridge matcher against the examples EventBridge's and event-ruler's docs publish."""

from __future__ import annotations

import copy

import pytest

from aws_model.event_patterns import EventPatternError, matches, validate_pattern

# The sample event of the EventBridge user guide and aws/event-ruler's README.
EC2_EVENT = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
    },
}

# The example of "Matching events on null values and empty strings".
NULL_EVENT = {
    "version": "0",
    "detail-type": "EC2 Instance Launch Successful",
    "source": "aws.autoscaling",
    "resources": [],
    "detail": {"eventVersion": "", "responseElements": None},
}


def event(**detail_overrides) -> dict:
    sample = copy.deepcopy(EC2_EVENT)
    sample["detail"].update(detail_overrides)
    return sample


def test_documented_simple_pattern_matches():
    pattern = {
        "detail-type": ["EC2 Instance State-change Notification"],
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        "detail": {"state": ["initializing", "running"]},
    }

    assert matches(pattern, EC2_EVENT)
    assert matches(pattern, event(state="initializing"))
    assert not matches(pattern, event(state="stopped"))


def test_every_field_must_match():
    assert not matches({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}, EC2_EVENT)
    assert not matches({"source": ["aws.ec2"], "detail": {"absent": ["x"]}}, EC2_EVENT)


def test_event_arrays_match_when_they_intersect():
    pattern = {"resources": ["arn:other", EC2_EVENT["resources"][0]]}

    assert matches(pattern, EC2_EVENT)
    assert not matches({"resources": ["arn:other"]}, EC2_EVENT)
    assert not matches({"resources": ["arn:other"]}, NULL_EVENT)


def test_arrays_of_objects_are_crushed_into_their_parent():
    employees = {
        "employees": [
            {"firstName": "John", "lastName": "Doe"},
            {"firstName": "Anna", "lastName": "Smith"},
        ]
    }

    assert matches({"employees": {"firstName": ["Anna"]}}, employees)
    assert not matches({"employees": {"firstName": ["Peter"]}}, employees)


def test_values_match_by_json_type():
    assert matches({"detail": {"c-count": [5]}}, EC2_EVENT)
    assert matches({"detail": {"x-limit": [3.018e2]}}, EC2_EVENT)
    assert not matches({"detail": {"c-count": ["5"]}}, EC2_EVENT)
    assert not matches({"detail": {"state": ["RUNNING"]}}, EC2_EVENT)
    assert not matches({"flag": [1]}, {"flag": True})


def test_null_and_empty_string_are_not_interchangeable():
    assert matches({"detail": {"eventVersion": [""]}}, NULL_EVENT)
    assert matches({"detail": {"responseElements": [None]}}, NULL_EVENT)
    assert not matches({"detail": {"eventVersion": [None]}}, NULL_EVENT)
    assert not matches({"detail": {"responseElements": [""]}}, NULL_EVENT)
    assert not matches({"detail": {"absent": [None]}}, NULL_EVENT)


def test_prefix_and_suffix_match_strings_only():
    assert matches({"time": [{"prefix": "2017-10-02"}]}, EC2_EVENT)
    assert not matches({"time": [{"prefix": "2017-10-03"}]}, EC2_EVENT)
    assert matches({"source": [{"suffix": "ec2"}]}, EC2_EVENT)
    assert not matches({"detail": {"c-count": [{"prefix": "5"}]}}, EC2_EVENT)


def test_prefix_and_suffix_ignoring_case():
    service = {"detail": {"service": "EventBridge", "FileName": "photo.PNG"}}

    assert matches({"detail": {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}}, service)
    assert matches({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}, service)
    assert not matches({"detail": {"FileName": [{"suffix": ".png"}]}}, service)


def test_equals_ignore_case_and_wildcard():
    assert matches({"source": [{"equals-ignore-case": "AWS.EC2"}]}, EC2_EVENT)
    assert matches({"source": [{"wildcard": "aws.*"}]}, EC2_EVENT)
    assert matches({"detail": {"instance-id": [{"wildcard": "i-*0000"}]}}, EC2_EVENT)
    assert not matches({"source": [{"wildcard": "aws.s3*"}]}, EC2_EVENT)
    assert matches({"name": [{"wildcard": "a\\*b"}]}, {"name": "a*b"})
    assert not matches({"name": [{"wildcard": "a\\*b"}]}, {"name": "axxb"})


def test_anything_but_single_list_and_prefix():
    assert matches({"detail": {"state": [{"anything-but": "initializing"}]}}, EC2_EVENT)
    assert not matches(
        {"detail": {"state": [{"anything-but": "initializing"}]}}, event(state="initializing")
    )
    assert not matches({"detail": {"state": [{"anything-but": ["stopped", "running"]}]}}, EC2_EVENT)
    assert matches({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}, EC2_EVENT)
    assert matches({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}, EC2_EVENT)
    assert not matches({"detail": {"state": [{"anything-but": {"prefix": "run"}}]}}, EC2_EVENT)


def test_anything_but_needs_the_field():
    assert not matches({"detail": {"absent": [{"anything-but": "x"}]}}, EC2_EVENT)


def test_numeric_ranges_match_numbers_only():
    pattern = {
        "detail": {
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"numeric": ["=", 3.018e2]}],
        }
    }

    assert matches(pattern, EC2_EVENT)
    assert not matches(pattern, event(**{"c-count": 6}))
    assert not matches(pattern, event(**{"c-count": "5"}))


def test_cidr_matches_addresses_in_the_block():
    assert matches({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}, EC2_EVENT)
    assert not matches({"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}, EC2_EVENT)
    assert not matches({"detail": {"state": [{"cidr": "10.0.0.0/8"}]}}, EC2_EVENT)


def test_exists_works_on_leaf_nodes():
    nested = event(**{"c-count": {"c1": 100}})

    assert matches({"detail": {"c-count": [{"exists": True}]}}, EC2_EVENT)
    assert not matches({"detail": {"c-count": [{"exists": False}]}}, EC2_EVENT)
    assert matches({"detail": {"absent": [{"exists": False}]}}, EC2_EVENT)
    # event-ruler's README: an object is not a leaf, so exists: false matches it
    assert matches({"detail": {"c-count": [{"exists": False}]}}, nested)
    assert not matches({"detail": {"c-count": [{"exists": True}]}}, nested)


def test_exists_counts_null_but_not_an_empty_array():
    assert matches({"detail": {"responseElements": [{"exists": True}]}}, NULL_EVENT)
    assert matches({"resources": [{"exists": False}]}, NULL_EVENT)


def test_nested_pattern_needs_an_object_in_the_event():
    assert not matches({"detail": {"responseElements": {"arn": ["x"]}}}, NULL_EVENT)
    assert matches(
        {"detail": {"responseElements": {"arn": ["x"]}}},
        {"detail": {"responseElements": {"arn": "x"}}},
    )


def test_or_takes_one_of_its_branches():
    pattern = {
        "source": ["aws.ec2"],
        "$or": [{"detail": {"state": ["stopped"]}}, {"detail": {"c-count": [5]}}],
    }

    assert matches(pattern, EC2_EVENT)
    assert not matches(pattern, event(**{"c-count": 4}))


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ({"source": "aws.ec2"}, "source: leaf values must be arrays"),
        ({"detail": {"state": []}}, "detail.state: an empty array matches nothing"),
        ({"source": [{"begins-with": "aws"}]}, "unknown operator 'begins-with'"),
        ({"source": [{"exists": "yes"}]}, "exists takes true or false"),
        ({"source": [{"numeric": [">", "0"]}]}, "numeric takes"),
        ({"source": [{"anything-but": ["a", 1]}]}, "strings only or numbers only"),
        ({"source": [{"prefix": "a", "suffix": "b"}]}, "exactly one operator"),
        ({}, "must name at least one field"),
    ],
)
def test_rejects_patterns_eventbridge_rejects(pattern, message):
    with pytest.raises(EventPatternError, match=message):
        validate_pattern(pattern)
