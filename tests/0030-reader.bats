#!/usr/bin/env bats
# The reader: YAML 1.2 core schema and every refusal, with positions, exit 65.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

refused() { # FILE EXPECTED-MESSAGE
	run ip-check -q --no-schema "$1"
	assert_failure 65
	assert_output "ip-check: $2"
}

@test "duplicate keys are refused, naming the first" {
	printf 'a: 1\nb: 2\na: 3\n' >dup.yaml
	refused dup.yaml "dup.yaml:3:1: a: duplicate key 'a' (first at line 1)"
}

@test "duplicate keys in JSON are refused" {
	printf '{"a": 1,\n "a": 2}' >dup.json
	run ip-check -q --no-schema dup.json
	assert_failure 65
	assert_output --partial "dup.json:2:"
	assert_output --partial "duplicate object key"
}

@test "tags other than the core schema's are refused" {
	printf 'a: !!binary aGVsbG8=\n' >tag.yaml
	refused tag.yaml "tag.yaml:1:4: a: tag 'tag:yaml.org,2002:binary' is not supported (only the YAML core schema tags are)"
	printf 'a: !custom x\n' >tag2.yaml
	refused tag2.yaml "tag2.yaml:1:4: a: tag '!custom' is not supported (only the YAML core schema tags are)"
	printf '!!python/object:os.system {}\n' >tag3.yaml
	run ip-check -q --no-schema tag3.yaml
	assert_failure 65
}

@test "non-scalar keys are refused" {
	printf '? [a, b]\n: c\n' >key.yaml
	refused key.yaml "key.yaml:1:3: sequence keys are not supported (keys must be plain text)"
}

@test "the billion-laughs alias bomb is refused" {
	{
		echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
		prev=a
		for n in b c d e f g h i; do
			echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
			prev=$n
		done
	} >bomb.yaml
	run ip-check -q --no-schema bomb.yaml
	assert_failure 65
	assert_output --partial "document expands to more than 100000 nodes (an alias bomb?)"
}

@test "an alias to the node that contains it is refused" {
	printf 'a: &x\n  b: *x\n' >self.yaml
	refused self.yaml "self.yaml:2:6: a.b: alias *x refers to a node that contains it"
}

@test "nesting deeper than the limit is refused, YAML and JSON, even 10,000 deep" {
	python3 -c "print('a: ' + '['*100 + ']'*100)" >deep.yaml
	run ip-check -q --no-schema deep.yaml
	assert_failure 65
	assert_output --partial "nesting is deeper than the limit of 64 levels"
	python3 -c "print('['*10000 + ']'*10000)" >deep.json
	run ip-check -q --no-schema deep.json
	assert_failure 65
	python3 -c "print('['*10000 + ']'*10000)" >deep2.yaml
	run ip-check -q --no-schema deep2.yaml
	assert_failure 65
	assert_output --partial "nesting is deeper than the limit"
}

@test "files over the size limit are refused; --max-file-size raises it" {
	python3 -c "print('a: \"' + 'x'*1100000 + '\"')" >big.yaml
	refused big.yaml "big.yaml: file is larger than the limit of 1048576 bytes (raise it with --max-file-size)"
	run ip-check -q --no-schema --max-file-size=2000000 big.yaml
	assert_success
}

@test "invalid UTF-8 and NUL bytes are refused with their position" {
	printf 'a: ok\nb: \xc3\x28\n' >utf.yaml
	refused utf.yaml "utf.yaml:2:4: invalid UTF-8"
	printf 'a: b\0c\n' >nul.yaml
	refused nul.yaml "nul.yaml:1:5: file contains a NUL byte"
	printf '{"k\xff": 1}' >utf.json
	refused utf.json "utf.json:1:4: invalid UTF-8"
}

@test "truncated YAML and JSON are refused with a position" {
	printf 'a: [1, 2\n' >t.yaml
	run ip-check -q --no-schema t.yaml
	assert_failure 65
	assert_output --regexp '^ip-check: t\.yaml:[0-9]+:[0-9]+: '
	printf '{"a": [1, 2' >t.json
	run ip-check -q --no-schema t.json
	assert_failure 65
	assert_output --regexp '^ip-check: t\.json:1:[0-9]+: '
}

@test "infinity and NaN are refused; quoted they are strings" {
	printf 'a: .inf\n' >inf.yaml
	refused inf.yaml "inf.yaml:1:4: a: infinite and not-a-number values are not supported"
	printf 'a: ".inf"\n' >inf2.yaml
	run ip-check -q --no-schema --print -f jsonl inf2.yaml
	assert_output '{"a":".inf"}'
}

@test "core schema: only true/false are booleans, NO and yes are strings" {
	printf 'a: NO\nb: yes\nc: TRUE\nd: off\ne: ~\nf:\ng: 0o17\nh: 0x1f\ni: 1.50\nj: 2026-11-21\n' >core.yaml
	run ip-check -q --no-schema --print -f jsonl core.yaml
	assert_output '{"a":"NO","b":"yes","c":true,"d":"off","e":null,"f":null,"g":15,"h":31,"i":1.5,"j":"2026-11-21"}'
}

@test "YAML output quotes exactly the strings that would read back as something else" {
	printf '{"a":"NO","b":"0012","c":"true","d":"","e":"- x","f":"a: b","g":"#x","h":"null","i":"Müller","j":"محمد"}' >q.json
	run ip-check -q --no-schema --print q.json
	assert_output - <<'YAML'
a: NO
b: "0012"
c: "true"
d: ""
e: "- x"
f: "a: b"
g: "#x"
h: "null"
i: Müller
j: محمد
YAML
	# and it reads back to the same JSON
	ip-check -q --no-schema --print q.json >q.yaml
	diff <(ip-check -q --no-schema --print -f jsonl q.json) <(ip-check -q --no-schema --print -f jsonl q.yaml)
}

@test "an empty file is not a case" {
	: >empty.yaml
	chmod 600 empty.yaml
	run ip-check -q empty.yaml
	assert_failure 1
	assert_output "ip-check: empty.yaml: empty file (no case in it)"
}

@test "a list where a case is expected is named" {
	printf -- '- a\n- b\n' >list.yaml
	chmod 600 list.yaml
	run ip-check -q list.yaml
	assert_failure 1
	assert_output "ip-check: list.yaml:1:1: expected a case (a mapping), found a list"
}
