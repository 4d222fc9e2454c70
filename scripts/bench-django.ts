// `npx tsx scripts/bench-django.ts`: how fast pgready analyses a large synthetic Django project. Same
// method as scripts/bench.ts: each size runs in a fresh child process, so peak RSS is per run. Prints a
// Markdown table. Per app: models, views, DRF serializers/API, services and a chain of migrations.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { measureFullRun, projectWriter, runChild, tableRow, type FullRun } from './bench-common';

const SIZES = (process.env.PGREADY_BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const MODELS = 6;

function modelsFile(a: number): string {
  const out = ['from django.db import models', ''];
  for (let t = 0; t < MODELS; t++) {
    out.push(`class M${t}(models.Model):`);
    if (t > 0) out.push(`    parent = models.ForeignKey(M${t - 1}, on_delete=models.CASCADE, related_name="children")`);
    for (let c = 0; c < 8; c++) out.push(`    col_${c} = models.${c % 3 === 0 ? 'CharField(max_length=200)' : c % 3 === 1 ? 'IntegerField(null=True)' : 'DateTimeField(auto_now_add=True)'}`);
    out.push('    is_active = models.BooleanField(default=True)', '    notes = models.TextField(blank=True)', '', '    class Meta:', `        indexes = [models.Index(fields=["col_0"], name="a${a}_m${t}_col0")]`, '');
  }
  return out.join('\n');
}

function viewsFile(a: number, i: number): string {
  const out = ['from django.http import JsonResponse', 'from django.shortcuts import get_object_or_404', `from app${a}.models import *`, ''];
  for (let h = 0; h < 10; h++) {
    const t = (i + h) % MODELS;
    out.push(
      `def view_${i}_${h}(request, status):`,
      `    rows = M${t}.objects.filter(col_0=status, col_3__icontains=request.GET.get("q", "")).order_by("-col_2")[:50]`,
      '    out = []',
      '    for row in rows:',
      t > 0 ? '        out.append({"id": row.id, "parent": row.parent.col_0})' : '        out.append({"id": row.id})',
      `    obj, _ = M${t}.objects.get_or_create(col_0=status, defaults={"notes": ""})`,
      `    one = get_object_or_404(M${t}, pk=request.GET["id"])`,
      `    raw = M${t}.objects.raw("SELECT * FROM app${a}_m${t} WHERE col_0 = %s", [status])`,
      '    return JsonResponse({"items": out, "obj": obj.id, "one": one.id, "n": len(list(raw))})',
      '',
    );
  }
  return out.join('\n');
}

function apiFile(a: number): string {
  const out = ['from rest_framework import serializers, viewsets', `from app${a}.models import *`, ''];
  for (let t = 1; t < MODELS; t++) {
    out.push(
      `class M${t}Serializer(serializers.ModelSerializer):`,
      '    parent_name = serializers.CharField(source="parent.col_0")',
      '',
      '    class Meta:',
      `        model = M${t}`,
      '        fields = ["id", "col_0", "parent_name"]',
      '',
      `class M${t}ViewSet(viewsets.ModelViewSet):`,
      `    queryset = M${t}.objects.${t % 2 ? 'select_related("parent")' : 'all()'}`,
      `    serializer_class = M${t}Serializer`,
      '',
    );
  }
  return out.join('\n');
}

function serviceFile(a: number, i: number): string {
  const out = [`from app${a}.models import *`, ''];
  for (let f = 0; f < 10; f++) {
    const t = (i + f) % MODELS;
    out.push(`def service_${i}_${f}(ids):`, '    n = 0', '    for id_ in ids:', `        obj = M${t}.objects.filter(pk=id_).first()`, '        if obj is None:', '            continue', '        obj.col_1 = (obj.col_1 or 0) + 1', '        obj.save()', '        n += 1', '    return n', '');
  }
  return out.join('\n');
}

function migrationFile(a: number, t: number): string {
  const fields = ['            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),'];
  for (let c = 0; c < 8; c++) fields.push(`            ("col_${c}", models.${c % 3 === 0 ? 'CharField(max_length=200)' : c % 3 === 1 ? 'IntegerField(null=True)' : 'DateTimeField(auto_now_add=True)'}),`);
  fields.push('            ("is_active", models.BooleanField(default=True)),', '            ("notes", models.TextField(blank=True)),');
  if (t > 0) fields.push(`            ("parent", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="children", to="app${a}.m${t - 1}")),`);
  return [
    'import django.db.models.deletion',
    'from django.db import migrations, models',
    '',
    '',
    'class Migration(migrations.Migration):',
    `    dependencies = [${t > 0 ? `("app${a}", "${String(t).padStart(4, '0')}_m${t - 1}")` : ''}]`,
    '',
    '    operations = [',
    `        migrations.CreateModel(name="M${t}", fields=[`,
    ...fields,
    '        ]),',
    `        migrations.AddIndex(model_name="m${t}", index=models.Index(fields=["col_0"], name="a${a}_m${t}_col0")),`,
    '    ]',
    '',
  ].join('\n');
}

function generate(n: number, dir: string): { root: string; files: number; lines: number } {
  const { write, stats } = projectWriter(path.join(dir, `django-${n}`));
  write('config/settings.py', 'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "app", "CONN_MAX_AGE": 60}}\n');
  const perApp = 20; // models + api + 8 views + 4 services + 6 migrations
  const apps = Math.max(1, Math.round(n / perApp));
  for (let a = 0; a < apps; a++) {
    write(`app${a}/models.py`, modelsFile(a));
    write(`app${a}/api.py`, apiFile(a));
    for (let i = 0; i < 8; i++) write(`app${a}/views_${i}.py`, viewsFile(a, i));
    for (let i = 0; i < 4; i++) write(`app${a}/services_${i}.py`, serviceFile(a, i));
    for (let t = 0; t < MODELS; t++) write(`app${a}/migrations/${String(t + 1).padStart(4, '0')}_m${t}.py`, migrationFile(a, t));
  }
  return stats();
}

async function main(): Promise<void> {
  const [mode, root] = process.argv.slice(2);
  if (mode === '--full') return void process.stdout.write(JSON.stringify(await measureFullRun(root)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-bench-django-'));
  try {
    console.log(`## pgready Django benchmark (${os.cpus().length} CPUs, Node ${process.versions.node}, load ${os.loadavg()[0].toFixed(1)})\n`);
    console.log('| run | total (wall) | CPU time | files/s | read+parse | merge+rules | peak RSS | findings |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    const notes: string[] = [];
    for (const n of SIZES) {
      const gen = generate(n, tmp);
      const r = runChild<FullRun>(__filename, '--full', gen.root);
      console.log(tableRow(r, gen));
      notes.push(`${n}: ${Object.entries(r.byRule).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
    console.log(`\nFindings by rule:\n${notes.map((x) => `- ${x}`).join('\n')}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
