# Fills exp_annotations of the exp_alerts of promtool unit test files from what the rules render (promtool reports
# them when they differ): run after changing an alert's annotations, then read the diff. Usage: python3 expected-annotations.py *.test.yml
import re, subprocess, sys, yaml

def parse_go_map(text):
    # {k="v", k2="v2"} with Go-quoted values
    out = {}
    i = 1
    while i < len(text) - 1:
        m = re.match(r'\s*,?\s*([A-Za-z_][A-Za-z0-9_]*)=', text[i:])
        if not m:
            break
        key = m.group(1); i += m.end()
        assert text[i] == '"'
        j = i + 1; buf = []
        while text[j] != '"':
            if text[j] == '\\':
                c = text[j+1]
                buf.append({'n': '\n', 't': '\t', '"': '"', '\\': '\\'}[c]); j += 2
            else:
                buf.append(text[j]); j += 1
        out[key] = ''.join(buf); i = j + 1
    return out

class Literal(str): pass
def literal_representer(dumper, data):
    return dumper.represent_scalar('tag:yaml.org,2002:str', data, style='|' if '\n' in data else None)
yaml.add_representer(Literal, literal_representer)

for path in sys.argv[1:]:
    out = subprocess.run(['promtool', 'test', 'rules', path], capture_output=True, text=True).stderr
    got = {}
    cur = None
    for line in out.splitlines():
        m = re.search(r'alertname: (\S+), time: (\S+),', line)
        if m: cur = (m.group(1), m.group(2)); section = None; continue
        if 'got:[' in line: section = 'got'; continue
        if 'exp:[' in line: section = 'exp'; continue
        s = line.strip()
        if cur and section == 'got' and s.startswith('Labels:'):
            labels = parse_go_map(s[len('Labels:'):])
        if cur and section == 'got' and s.startswith('Annotations:'):
            got.setdefault(cur, []).append((labels, parse_go_map(s[len('Annotations:'):])))
    doc = yaml.safe_load(open(path))
    for test in doc['tests']:
        for case in test.get('alert_rule_test', []):
            for exp in case.get('exp_alerts') or []:
                exp['exp_annotations'] = {k: Literal(v) for k, v in (exp.get('exp_annotations') or {}).items()}
                key = (case['alertname'], case['eval_time'])
                want = {k: str(v) for k, v in exp['exp_labels'].items()}
                want['alertname'] = case['alertname']
                for labels, ann in got.get(key, []):
                    if labels == want:
                        exp['exp_annotations'] = {k: Literal(v) for k, v in ann.items()}
    with open(path, 'w') as f:
        yaml.dump(doc, f, sort_keys=False, width=1000, allow_unicode=True)
