package org.vpnsleuth.report;

/** The HTML report's inline style sheet and script (no external resource: the page's policy forbids them). */
final class HtmlAssets {
    private HtmlAssets() {
    }

    static final String CSS = """
            :root{--ok:#1a7f37;--fail:#cf222e;--inc:#9a6700;--mut:#57606a;--bg:#fff;--line:#d0d7de}
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 32px;color:#1f2328;background:var(--bg)}
            h1{font-size:22px;margin:16px 0 8px}h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}
            h3{font-size:16px}h4{font-size:14px;margin:14px 0 6px}
            table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
            th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
            .summary th{cursor:pointer;user-select:none;white-space:nowrap}.summary th.asc::after{content:" ▲"}.summary th.desc::after{content:" ▼"}
            .summary td{white-space:nowrap}.summary td:nth-child(3){white-space:normal;word-break:break-all}
            .controls{margin:8px 0}.controls input{width:18em}#shown{color:var(--mut)}
            .v{font-weight:700}.v.FAILED{color:var(--fail)}.v.INCOMPLETE{color:var(--inc)}.v.ESTABLISHED{color:var(--ok)}
            details.ike-sa,details.tunnel{border:1px solid var(--line);border-radius:6px;margin:10px 0;padding:0 10px}
            details.tunnel details.tunnel{margin-left:12px}
            details>summary{cursor:pointer;padding:8px 0;font-weight:600;overflow-wrap:anywhere}
            details[data-verdict=FAILED]{border-left:5px solid var(--fail)}details[data-verdict=INCOMPLETE]{border-left:5px solid var(--inc)}
            details[data-verdict=ESTABLISHED]{border-left:5px solid var(--ok)}
            .body{padding-bottom:10px;overflow-x:auto}
            .finding{background:#f6f8fa;border-radius:6px;padding:4px 10px;margin:6px 0}.finding.main{background:#fff8c5}
            .finding[data-cause] .cause{font-weight:700}.finding p{margin:4px 0;overflow-wrap:anywhere}.fix{color:#0a3069}
            .rec{color:var(--ok);font-size:12px;border:1px solid var(--ok);border-radius:8px;padding:0 5px}
            .evidence{margin:4px 0;padding-left:20px;font-size:13px}
            .facts th{width:13em;font-weight:500;color:var(--mut)}.facts td{overflow-wrap:anywhere}
            .proposals td{width:50%}.proposal{margin:3px 0}.ph{color:var(--mut);font-family:ui-monospace,monospace}
            .tf{display:inline-block;border-radius:4px;padding:0 5px;margin:1px;border:1px solid var(--line);font-family:ui-monospace,monospace;font-size:12px}
            .tf.chosen{background:#dafbe1;border-color:#4ac26b}.tf.mismatch{background:#ffebe9;border-color:#ff8182;font-weight:700}
            .none{color:var(--fail)}.legend{font-size:12px;color:var(--mut)}
            .legend span{padding:0 5px;border-radius:3px}.legend .inner{background:#8ec5ff}.legend .ovh{background:#f0883e}.legend .unknown{background:#d0d7de}
            .legend .ph-lcp{background:#ddf4ff}.legend .ph-auth{background:#fbefff}.legend .ph-ncp{background:#dafbe1}
            svg.ladder,svg.timeline,svg.overhead-chart{display:block;font-family:ui-monospace,"DejaVu Sans Mono",monospace;max-width:none}
            svg text{font-size:11px;fill:#1f2328}
            svg .lane{font-weight:700;font-size:13px;text-anchor:middle}svg .addr{text-anchor:middle;fill:var(--mut)}
            svg .hdr,svg .gap,svg .ax{fill:var(--mut);font-size:10px}svg .gap,svg .nat{text-anchor:middle}svg .nat{fill:#8250df;font-size:10px}
            svg .end{text-anchor:end}
            .lifeline{stroke:#8c959f;stroke-width:1.5}.axis{stroke:#8c959f}
            .ladder g line{stroke:#0969da;stroke-width:1.6}.ladder g path{fill:#0969da}
            .ladder g.ri line{stroke:#1a7f37}.ladder g.ri path{fill:#1a7f37}
            .ladder g.err line{stroke:var(--fail)}.ladder g.err path{fill:var(--fail)}
            .ladder g.retransmission line{stroke-dasharray:6 4;stroke:#bc4c00}.ladder g.retransmission path{fill:#bc4c00}
            .ladder g.zlb line{stroke-width:1;stroke:#8c959f}.ladder g.zlb path{fill:#8c959f}
            .ladder g.tcp line{stroke:#6e7781;stroke-dasharray:2 3}
            .ladder g.stop-msg text.lbl{fill:var(--fail);font-weight:700}
            .ladder .lbl{text-anchor:middle;font-weight:600}.ladder .pl{text-anchor:middle;font-size:10px;fill:#57606a}
            .ladder .tt{text-anchor:end;fill:var(--mut)}.ladder .tf{fill:var(--mut)}
            .ladder rect.hit{fill:transparent}.ladder g:hover rect.hit,.ladder g:target rect.hit{fill:#fff8c5}
            .ladder g.ph-lcp rect.hit{fill:#ddf4ff80}.ladder g.ph-auth rect.hit{fill:#fbefff}.ladder g.ph-ncp rect.hit{fill:#dafbe180}
            .ladder g:hover line{stroke-width:3}
            .stopped-at line{stroke:var(--fail);stroke-width:2;stroke-dasharray:8 4}.stopped-at text{fill:var(--fail);font-weight:700;text-anchor:middle}
            .timeline rect{fill:#0969da}.flow-bar text{font-size:10px}
            .overhead-chart rect.inner{fill:#8ec5ff}.overhead-chart rect.ovh{fill:#f0883e}.overhead-chart rect.unknown{fill:#d0d7de}
            .overhead-chart text{font-size:10px}
            .warn{color:var(--fail)}.note{color:var(--mut)}pre{white-space:pre-wrap;font-size:12px}
            footer{margin-top:30px;color:var(--mut);font-size:12px}
            .pager{margin:4px 0;color:var(--mut)}.pager button{min-width:2.5em}
            body.large .sa-group{content-visibility:auto;contain-intrinsic-size:auto 2200px}
            body.large details.ike-sa:not([open]){content-visibility:auto;contain-intrinsic-size:auto 42px}
            details[data-loading]::after{content:"decompressing\\2026";color:var(--mut)}
            @media print{.controls,button{display:none}body{max-width:none}details{break-inside:auto}
              details>summary{list-style:none}.summary th.asc::after,.summary th.desc::after{content:""}
              svg.ladder{break-inside:auto}tr{break-inside:avoid}}
            """;

    static final String JS = """
            (function(){
            'use strict';
            var large=document.body.classList.contains('large');
            var table=document.getElementById('summary-table');
            function key(td,num){if(!td)return '';if(num){var v=td.getAttribute('data-v');return parseFloat(v!==null?v:td.textContent.replace(/^[A-Z]+/,''))||0;}return td.textContent.toLowerCase();}
            var filter=document.getElementById('filter'),verdict=document.getElementById('verdict-filter'),shown=document.getElementById('shown');
            // a large page's summary: the rows are data (script#summary-data); filtering and sorting work on the data and
            // only one page of rows is in the table
            var data=null,view=null;
            if(table&&!large){
              var body=table.tBodies[0],heads=table.tHead.rows[0].cells;
              Array.prototype.forEach.call(heads,function(th,i){
                th.addEventListener('click',function(){
                  var num=th.getAttribute('data-type')==='num',asc=!th.classList.contains('asc');
                  Array.prototype.forEach.call(heads,function(h){h.classList.remove('asc','desc');});
                  th.classList.add(asc?'asc':'desc');
                  var rows=Array.prototype.slice.call(body.rows);
                  rows.sort(function(a,b){var x=key(a.cells[i],num),y=key(b.cells[i],num);return (x<y?-1:x>y?1:0)*(asc?1:-1);});
                  var frag=document.createDocumentFragment();rows.forEach(function(r){frag.appendChild(r);});body.appendChild(frag);
                });
              });
              var apply=function(){
                var q=filter.value.trim().toLowerCase(),v=verdict.value,n=0;
                Array.prototype.forEach.call(body.rows,function(r){
                  var ok=(!v||r.getAttribute('data-verdict')===v)&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);
                  r.hidden=!ok;if(ok)n++;
                });
                shown.textContent=n+' of '+body.rows.length+' shown';
              };
              filter.addEventListener('input',apply);verdict.addEventListener('change',apply);apply();
            }
            if(table&&large){
              data=JSON.parse(document.getElementById('summary-data').textContent);
              var tb=table.tBodies[0],hs=table.tHead.rows[0].cells,PAGE=+document.body.getAttribute('data-page-rows')||100,page=0;
              var COL=[1,2,3,4,5,6,7,8,10],order=data.map(function(r,i){return i;}),texts=null,pr=document.getElementById('page-rows');
              var rowText=function(r){return (r[1]+' '+r[2]+' '+r[3]+' '+r[4]+' '+r[5]+' '+r[6]+' '+r[7]+' '+r[9]+' '+r[10]).toLowerCase();};
              var show=function(){
                var n=view.length,pages=Math.max(1,Math.ceil(n/PAGE));page=Math.max(0,Math.min(page,pages-1));
                var s='',i,end=Math.min(n,(page+1)*PAGE);
                for(i=page*PAGE;i<end;i++){var r=data[view[i]];
                  s+='<tr data-verdict="'+esc(r[4])+'"><td><a href="#'+esc(r[0])+'">'+esc(r[1])+'</a></td><td>'+esc(r[2])+'</td><td>'+esc(r[3])
                    +'</td><td class="v '+esc(r[4])+'">'+esc(r[4])+'</td><td>'+esc(r[5])+'</td><td>'+esc(r[6])+'</td><td>'+esc(r[7])
                    +'</td><td class="n" data-v="'+r[8]+'">'+esc(r[9])+'</td><td class="n">'+r[10]+'</td></tr>';}
                tb.innerHTML=s;
                shown.textContent=n+' of '+data.length+' shown';
                pr.textContent=n?'rows '+(page*PAGE+1)+'\u2013'+end+' of '+n+' (page '+(page+1)+' of '+pages+')':'no rows';
                document.getElementById('page-first').disabled=document.getElementById('page-prev').disabled=page===0;
                document.getElementById('page-next').disabled=document.getElementById('page-last').disabled=page>=pages-1;
              };
              var applyData=function(){
                var q=filter.value.trim().toLowerCase(),v=verdict.value;
                if(q&&!texts)texts=data.map(rowText);
                view=order.filter(function(i){return (!v||data[i][4]===v)&&(!q||texts[i].indexOf(q)>=0);});
                page=0;show();
              };
              Array.prototype.forEach.call(hs,function(th,c){
                th.addEventListener('click',function(){
                  var num=th.getAttribute('data-type')==='num',asc=!th.classList.contains('asc'),k=COL[c];
                  Array.prototype.forEach.call(hs,function(h){h.classList.remove('asc','desc');});
                  th.classList.add(asc?'asc':'desc');
                  var val=function(i){var x=data[i][k];return num?(typeof x==='number'?x:parseFloat(String(x).replace(/^[A-Z]+/,''))||0):String(x).toLowerCase();};
                  var keys=order.map(val),pos={};order.forEach(function(i,j){pos[i]=j;});
                  order.sort(function(a,b){var x=keys[pos[a]],y=keys[pos[b]];return (x<y?-1:x>y?1:0)*(asc?1:-1);});
                  applyData();
                });
              });
              document.getElementById('page-first').addEventListener('click',function(){page=0;show();});
              document.getElementById('page-prev').addEventListener('click',function(){page--;show();});
              document.getElementById('page-next').addEventListener('click',function(){page++;show();});
              document.getElementById('page-last').addEventListener('click',function(){page=1e9;show();});
              filter.addEventListener('input',applyData);verdict.addEventListener('change',applyData);applyData();
            }
            var W=900,L=230,R=740,TOP=46,ROW=36,CH=84,LINES=4;
            function esc(t){return String(t).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
            function cut(t,n){return t.length<=n?t:t.slice(0,n-1)+'\u2026';}
            function lines(sub){var out=[];if(!sub)return out;var rest=sub;
              while(rest.length){if(out.length===LINES-1||rest.length<=CH){out.push(cut(rest,CH));break;}
                var c=rest.lastIndexOf(' ',CH);if(c<=CH/2)c=CH;out.push(rest.slice(0,c));rest=rest.slice(c).replace(/^\\s+/,'');}
              return out;}
            // the same drawing as report/Ladder.java's render, from the data renderData wrote
            function drawLadder(d){
              var rows=d.rows,gaps=0,i,h=TOP+(d.note!==null?14:0)+(d.stop!==null?40:14),mid=(L+R)/2;
              for(i=0;i<rows.length;i++){h+=ROW+Math.max(0,lines(rows[i][9]).length-1)*12;if(i>0&&rows[i][5]-rows[i-1][5]>=1)gaps++;}
              h+=gaps*14;
              var s='<svg class="ladder" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="'+esc(d.label)+'" viewBox="0 0 '+W+' '+h+'" width="'+W+'" height="'+h+'">';
              s+='<text class="lane" x="'+L+'" y="14">'+esc(d.lanes[0])+'</text><text class="addr" x="'+L+'" y="29">'+esc(d.lanes[1])+'</text>';
              s+='<text class="lane" x="'+R+'" y="14">'+esc(d.lanes[2])+'</text><text class="addr" x="'+R+'" y="29">'+esc(d.lanes[3])+'</text>';
              s+='<text class="hdr" x="8" y="29">frame  time (s)</text>';
              if(d.note!==null)s+='<text class="nat" x="'+mid+'" y="43">'+esc(d.note)+'</text>';
              var y=TOP+(d.note!==null?14:0);
              s+='<line class="lifeline" x1="'+L+'" y1="34" x2="'+L+'" y2="'+(h-4)+'"/><line class="lifeline" x1="'+R+'" y1="34" x2="'+R+'" y2="'+(h-4)+'"/>';
              for(i=0;i<rows.length;i++){
                var r=rows[i];
                if(i>0&&r[5]-rows[i-1][5]>=1){s+='<text class="gap" x="'+mid+'" y="'+(y+9)+'">\u22ef '+(r[5]-rows[i-1][5]).toFixed(1)+' s \u22ef</text>';y+=14;}
                var ay=y+15,x1=r[6]?L:R,x2=r[6]?R:L,hd=r[6]?-9:9,t='+'+r[5].toFixed(3),ls=lines(r[9]),k;
                s+='<g class="'+esc(r[0])+'"'+(r[1]!==null?' id="'+esc(r[1])+'"':'')+' data-frame="'+r[3]+'" data-file="'+r[4]+'" data-time="'+r[5].toFixed(6)+'"';
                for(k=0;k+1<r[2].length;k+=2)s+=' '+r[2][k]+'="'+esc(r[2][k+1])+'"';
                s+='><title>'+esc('frame '+r[7]+' '+t+' s: '+r[8]+(r[9]?'\\n'+r[9]:''))+'</title>';
                s+='<rect class="hit" x="0" y="'+y+'" width="'+W+'" height="'+ROW+'"/>';
                s+='<text class="tf" x="8" y="'+(ay+4)+'">'+esc(r[7])+'</text><text class="tt" x="'+(L-12)+'" y="'+(ay+4)+'">'+t+'</text>';
                s+='<line x1="'+x1+'" y1="'+ay+'" x2="'+(x2+hd)+'" y2="'+ay+'"/><path d="M'+x2+' '+ay+' l'+hd+' -5 v10 z"/>';
                s+='<text class="lbl" x="'+mid+'" y="'+(ay-4)+'">'+esc(cut(r[8],CH))+'</text>';
                for(k=0;k<ls.length;k++)s+='<text class="pl" x="'+mid+'" y="'+(ay+13+12*k)+'">'+esc(ls[k])+'</text>';
                s+='</g>';
                y+=ROW+Math.max(0,ls.length-1)*12;
              }
              if(d.stop!==null){y+=8;s+='<g class="stopped-at"><line x1="'+(L-40)+'" y1="'+y+'" x2="'+(R+40)+'" y2="'+y+'"/><text x="'+mid+'" y="'+(y+16)+'">\u2715 '+esc(cut(d.stop,110))+'</text><title>'+esc(d.stop)+'</title></g>';}
              return s+'</svg>';
            }
            function drawLadders(d){
              Array.prototype.forEach.call(d.querySelectorAll(':scope > .body > script.ladder-data'),function(t){
                var note=t.nextElementSibling;t.insertAdjacentHTML('beforebegin',drawLadder(JSON.parse(t.textContent)));t.remove();
                if(note&&note.classList.contains('lazy-note'))note.remove();
              });
            }
            // a large page's IKE SA bodies: gzip-compressed blocks (script.sa-bodies) of a JSON array of the bodies' HTML
            var ike=document.getElementById('ike'),per=ike?+ike.getAttribute('data-block')||0:0,blocks={},kept=[],pending=0;
            function busy(k){pending+=k;if(pending)document.documentElement.setAttribute('data-pending',String(pending));else document.documentElement.removeAttribute('data-pending');}
            function gunzip(script){
              var bin=atob(script.textContent.trim()),u=new Uint8Array(bin.length),i;
              for(i=0;i<bin.length;i++)u[i]=bin.charCodeAt(i);
              return new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
            }
            function block(first){
              if(blocks[first])return blocks[first];
              var p=gunzip(document.querySelector('script.sa-bodies[data-first="'+first+'"]')).then(JSON.parse);
              blocks[first]=p;kept.push(first);if(kept.length>8)delete blocks[kept.shift()];
              return p;
            }
            // puts an opened section's body and ladders on the page; a promise of its being there
            function materialize(d){
              if(per&&d.classList.contains('ike-sa')&&!d.querySelector(':scope > .body')){
                if(d.vsLoading)return d.vsLoading;
                var n=+d.id.slice(3),first=Math.floor((n-1)/per)*per+1;
                busy(1);d.setAttribute('data-loading','');
                d.vsLoading=block(first).then(function(a){d.insertAdjacentHTML('beforeend',a[n-first]);drawLadders(d);},function(e){
                  d.insertAdjacentHTML('beforeend','<div class="body warn">the details of this SA could not be decompressed: '+esc(e)+'</div>');
                }).then(function(){d.removeAttribute('data-loading');d.vsLoading=null;busy(-1);});
                return d.vsLoading;
              }
              var z=d.querySelector(':scope > script.lazy-html');
              if(z){
                if(d.vsLoading)return d.vsLoading;
                busy(1);d.setAttribute('data-loading','');
                d.vsLoading=gunzip(z).then(function(t){z.insertAdjacentHTML('beforebegin',t);z.remove();},function(e){
                  z.insertAdjacentHTML('beforebegin','<div class="warn">this could not be decompressed: '+esc(e)+'</div>');
                }).then(function(){d.removeAttribute('data-loading');d.vsLoading=null;busy(-1);});
                return d.vsLoading;
              }
              drawLadders(d);
              return Promise.resolve();
            }
            document.addEventListener('toggle',function(e){var d=e.target;if(d.tagName==='DETAILS'&&d.open)materialize(d);},true);
            Array.prototype.forEach.call(document.querySelectorAll('details[open]'),materialize);
            function openTo(el){
              var waits=[];
              for(var p=el;p;p=p.parentElement){if(p.tagName==='DETAILS'){if(!p.open)p.open=true;waits.push(materialize(p));}}
              return Promise.all(waits);
            }
            function reveal(){
              var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
              var el=document.getElementById(id),m;
              if(!el&&(m=/^sa(\\d+)-/.exec(id))){
                // an arrow of an SA whose body is not on the page yet
                var sa=document.getElementById('sa-'+m[1]);
                if(sa)openTo(sa).then(function(){var x=document.getElementById(id);if(x&&x.scrollIntoView)x.scrollIntoView();});
                return;
              }
              if(!el)return;
              openTo(el);
              if(el.scrollIntoView)el.scrollIntoView();
            }
            window.addEventListener('hashchange',reveal);reveal();
            function all(open){
              var list;
              if(open&&view){
                // a large page: open what the summary's filter shows
                list=view.map(function(i){return document.getElementById(data[i][0]);});
              }else{
                list=Array.prototype.slice.call(document.querySelectorAll('details.ike-sa,details.tunnel'));
              }
              list.forEach(function(d){if(!d)return;if(open)openTo(d);else d.open=false;});
            }
            var ex=document.getElementById('expand'),co=document.getElementById('collapse');
            if(ex)ex.addEventListener('click',function(){all(true);});if(co)co.addEventListener('click',function(){all(false);});
            var opened=[];
            window.addEventListener('beforeprint',function(){
              // a large page prints what is open (opening thousands of SAs first would take minutes)
              if(large)return;
              Array.prototype.forEach.call(document.querySelectorAll('details:not([open])'),function(d){opened.push(d);d.open=true;materialize(d);});
            });
            window.addEventListener('afterprint',function(){opened.forEach(function(d){d.open=false;});opened=[];});
            })();
            """;
}
